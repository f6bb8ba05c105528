import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectStore } from '../storage/object-store';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The other half of the store's group commit: a response's `end()` (every non-streaming answer
 * is written by it) waits until every write made before it is durable, so nothing acknowledged —
 * and nothing a client read — can be lost by a crash. When the batch fails to commit, the
 * connection is dropped instead: the client never sees a success for a write that was not
 * stored. (Corking the socket is not enough: `end()` uncorks it.) Watch streams start from
 * committed state (`openWatch` flushes) and get events only after their commit.
 */
export function answerWhenDurable(store: ObjectStore, handler: Handler): Handler {
  return (req, res) => {
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      store.whenDurable((durable) => {
        if (durable) {
          end(...args);
        } else {
          res.destroy();
        }
      });
      return res;
    }) as ServerResponse['end'];
    return handler(req, res);
  };
}
