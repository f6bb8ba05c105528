/** Who is calling: resolved from the bearer token by the AuthGuard. */
export interface Principal {
  projectId: string;
  tokenId: string;
  tokenName: string;
  admin: boolean;
}
