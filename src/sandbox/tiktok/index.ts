export { startTikTokSandbox, type TikTokSandbox, type TikTokSandboxOptions } from './server.js';
export { generateDataset, type GenerateOptions } from './generate.js';
export { loadReplayFile, parseReplayData, replayToDataset, replaySchema, type ReplayData } from './replay.js';
export type { Dataset, SandboxShop, ShopDataset, StatementDetail } from './dataset.js';
