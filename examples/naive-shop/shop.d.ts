import type { Express } from 'express';

/** The naive shop (shop.js): an Express app talking to the gateway at `gatewayUrl` (ending with /payment/rest/). */
export function createNaiveShop(options: { gatewayUrl: string; userName: string; password: string }): Express;
