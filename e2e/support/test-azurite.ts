import {
  AZURITE_ACCOUNT_NAME,
  azuriteConnectionString,
  newAzuriteAccount,
  type AzuriteAccount,
} from "@study-uploader/sas-api/azurite";
import { e2ePorts } from "./ports.js";

/**
 * The test Azurite's one account, with a key made once per run: the config is evaluated in every Playwright
 * process, and the workers inherit the runner's environment, so the first evaluation's key is everyone's.
 */
export function e2eAzuriteAccount(): AzuriteAccount {
  process.env.E2E_AZURITE_KEY ??= newAzuriteAccount().key;
  return { name: AZURITE_ACCOUNT_NAME, key: process.env.E2E_AZURITE_KEY };
}

/** The account key's connection string to the test Azurite, as the API and an operator use it. */
export const e2eAzuriteConnectionString = () =>
  azuriteConnectionString(`http://127.0.0.1:${e2ePorts().azurite}/${AZURITE_ACCOUNT_NAME}`, e2eAzuriteAccount());
