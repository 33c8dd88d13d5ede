/** Fixed, overridable ports: the config is evaluated in every Playwright process, so they cannot be random. */
export function e2ePorts() {
  return {
    azurite: Number(process.env.E2E_AZURITE_PORT ?? 11_000),
    api: Number(process.env.E2E_API_PORT ?? 18_787),
    shortSasApi: Number(process.env.E2E_SHORT_SAS_API_PORT ?? 18_788),
    authApi: Number(process.env.E2E_AUTH_API_PORT ?? 18_789),
    blocksApi: Number(process.env.E2E_BLOCKS_API_PORT ?? 18_790),
    /** The storage proxy the blocks API names in its URLs; its tests start it. */
    storageProxy: Number(process.env.E2E_STORAGE_PROXY_PORT ?? 18_791),
  };
}
