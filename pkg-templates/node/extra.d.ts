
/** Node only: a TokenStore in a JSON file (mode 0600), shared by every process that names it. */
export declare function fileTokenStore(path: string): TokenStore;
