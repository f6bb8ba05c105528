import {
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  ServerConfiguration,
  wrapHttpLibrary,
  type ApiConstructor,
  type ApiType,
  type HttpLibrary,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

/** client-go's maxRetries for a request answered with `Retry-After`. */
export const MAX_RETRY_AFTER_RETRIES = 10;

/**
 * Seconds to wait before sending a request again, as client-go's checkWait: a 429 (the
 * api-server's max-in-flight limit) or a 5xx that carries an integer `Retry-After`.
 */
export function retryAfterSeconds(status: number, header: string | undefined): number | undefined {
  if (status !== 429 && (status < 500 || status > 599)) {
    return undefined;
  }
  const seconds = header === undefined ? NaN : Number(header);
  return Number.isInteger(seconds) && seconds >= 0 ? seconds : undefined;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends through `inner` and, like client-go's request retry, sends again after `Retry-After`
 * (up to 10 times) when the answer asks for it. client-node's generated clients give up on the
 * first 429, so under load a CCM write (a node's addresses) was lost until the next resync.
 */
export function retryingHttpLibrary(
  inner: HttpLibrary = new IsomorphicFetchHttpLibrary(),
  sleep: (ms: number) => Promise<void> = sleepFor,
): HttpLibrary {
  return wrapHttpLibrary({
    async send(request: RequestContext): Promise<ResponseContext> {
      for (let retries = 0; ; retries++) {
        const response = await inner.send(request).toPromise();
        const wait = retryAfterSeconds(response.httpStatusCode, response.headers['retry-after']);
        if (
          wait === undefined ||
          retries >= MAX_RETRY_AFTER_RETRIES ||
          request.getSignal()?.aborted
        ) {
          return response;
        }
        await response.body.text().catch(() => undefined); // frees the connection
        await sleep(wait * 1000);
      }
    },
  });
}

/** `kc.makeApiClient(type)` whose requests retry on `Retry-After` as client-go's do. */
export function makeApiClient<T extends ApiType>(
  kc: KubeConfig,
  apiClientType: ApiConstructor<T>,
  httpApi: HttpLibrary = retryingHttpLibrary(),
): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new Error('No active cluster!');
  }
  return new apiClientType(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      httpApi,
    }),
  );
}
