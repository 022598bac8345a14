// Tests that need an Azurite of their own (most should share TBMON_TEST_STORAGE through ./env): the harness lives in
// devhost/azurite.ts because the demo and `npm start` use it too.
export { startAzurite, azuriteConnectionString, freePort, DEV_ACCOUNT, DEV_ACCOUNT_KEY, type AzuriteOptions, type RunningAzurite } from '../../devhost/azurite';
