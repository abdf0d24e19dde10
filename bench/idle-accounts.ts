// A bench input of many mostly-idle accounts: one account record each (own card, own e-mail, spread
// over six weeks of sign-ups), and one short exchange from every tenth account (or every `activeEvery`th;
// 0: none, accounts known only from their records). It measures what an account costs the engine when
// it does (almost) nothing — the long tail of a provider's customers.
// Separate from the simulator so existing scenarios and seeds keep their bytes.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const START = Date.UTC(2026, 3, 1);
const SPAN = 42 * 86_400_000;
export const ACTIVE_EVERY = 10;

export async function writeIdleAccounts(path: string, accounts: number, activeEvery = ACTIVE_EVERY): Promise<void> {
  const w = createWriteStream(path);
  const step = SPAN / accounts;
  for (let i = 0; i < accounts; i++) {
    const ts = new Date(START + Math.floor(i * step)).toISOString();
    const id = `acct_idle_${i.toString(36).padStart(8, '0')}`;
    const rec: Record<string, unknown> = {
      type: 'account',
      account_id: id,
      ts,
      created_at: ts,
      email: `user${i}@example${i % 997}.com`,
      payment_fingerprint: `pm_idle_${i.toString(36)}`,
      country: 'US',
      verification: i % 3 === 0 ? 'phone' : 'email',
      plan: i % 5 === 0 ? 'paid' : 'free',
      signup_ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    };
    let line = `${JSON.stringify(rec)}\n`;
    if (activeEvery > 0 && i % activeEvery === 0) {
      const ex = {
        type: 'exchange',
        id: `ex_idle_${i.toString(36)}`,
        ts,
        account_id: id,
        model: 'atlas-2-mini',
        request: { model: 'atlas-2-mini', max_tokens: 512, messages: [{ role: 'user', content: `What time zone is city number ${i % 5000} in?` }] },
        response: { usage: { input_tokens: 12, output_tokens: 40 }, stop_reason: 'end_turn' },
        client: { ip: `100.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, user_agent: 'curl/8.5.0' },
      };
      line += `${JSON.stringify(ex)}\n`;
    }
    if (!w.write(line)) await once(w, 'drain');
  }
  w.end();
  await once(w, 'finish');
}
