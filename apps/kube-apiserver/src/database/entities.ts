import { KubeMetaEntity } from './entities/kube-meta.entity';
import { KubeObjectEntity } from './entities/kube-object.entity';
import { KubeRevisionEntity } from './entities/kube-revision.entity';

export const KUBE_APISERVER_ENTITIES = [KubeObjectEntity, KubeRevisionEntity, KubeMetaEntity];
