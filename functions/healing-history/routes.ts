import type { Request, Response, Router } from 'express';
import { bearerOf, mayRead, readerOf, type AccessConfig, type Reader } from './access.js';
import { filterOf, redacted, summaryOf } from './query.js';
import type { History } from './repo.js';

/*
 * `GET /healings?target=&since=&outcome=&limit=` and `GET /healings/<id>`: the history, as JSON, to the operator token
 * (every healing) or the chat's credential (its own targets), redacted.
 */

export interface HistoryRouteDeps {
  history: History;
  access: AccessConfig;
  now: () => number;
}

function reader(req: Request, res: Response, access: AccessConfig): Reader | undefined {
  const who = readerOf(access, bearerOf(req.get('authorization')));
  if (!who) {
    res
      .status(401)
      .set('www-authenticate', 'Bearer realm="cortex-history"')
      .json({ error: { code: 'unauthorized', message: 'send the operator token: Authorization: Bearer <token>' } });
  }
  return who;
}

export function historyRoutes(router: Router, deps: HistoryRouteDeps): void {
  router.get('/healings', async (req, res) => {
    const who = reader(req, res, deps.access);
    if (!who) return;
    const parsed = filterOf(req.query, deps.now());
    if ('error' in parsed) return void res.status(400).json({ error: { code: 'invalid_filter', message: parsed.error } });
    const records = await deps.history.list({ ...parsed.filter, visible: (t) => mayRead(who, t) });
    res.json({ healings: redacted(records.map(summaryOf)) });
  });
  router.get('/healings/:id', async (req, res) => {
    const who = reader(req, res, deps.access);
    if (!who) return;
    const record = await deps.history.get(req.params.id);
    const target = record?.target ? `${record.target.namespace}/${record.target.service}` : '';
    // Another target's healing is as unknown to this reader as a missing one.
    if (!record || !mayRead(who, target))
      return void res.status(404).json({ error: { code: 'not_found', message: `no healing ${req.params.id}` } });
    res.json(redacted(record));
  });
}
