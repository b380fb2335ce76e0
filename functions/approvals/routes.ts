import express, { type Request, type RequestHandler, type Router } from 'express';
import { sameOriginJson } from '../../shared/runtime/browser-writes.js';
import * as z from 'zod';
import { RequestError } from '../../shared/runtime/errors.js';
import type { RouteCtx } from '../../shared/runtime/define-function.js';
import { verifyOperatorToken } from '../../shared/session/token.js';
import { BOOK_KEY, decide, emptyBook, isPending, reopen, view, type Book, type DecideResult } from './book.js';

/*
 * The operator's face of approvals: `GET /approvals` (pending requests; `?all=1` adds decided, closed and expired
 * ones), `GET /approvals/<id>`, and `POST /approvals/<id>` with `{decision: "approve"|"deny", reason, by?}`. Every
 * route needs the operator token (Authorization: Bearer). A decision is published as `dev.cortex.approval.decided`.
 */

export interface ApprovalsDeps {
  readonly operatorToken: string;
  /** Origins besides the request's own whose pages may post decisions (CORTEX_ALLOWED_ORIGINS). */
  readonly allowedOrigins: readonly string[];
}

const Body = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  reason: z.string().trim().max(1024).default(''),
  /** Who decides, as the operator calls themself (the shared operator token does not say). */
  by: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'by: 1-64 letters, digits, ".", "_", "@" or "-"')
    .optional()
});

const ID = /^[A-Za-z0-9._:-]{1,256}$/;

function authorise(req: Request, token: string): void {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  if (!verifyOperatorToken(token, m?.[1]))
    throw new RequestError(401, 'unauthorized', 'approvals need the operator token (Authorization: Bearer <token>)');
}

const REFUSED: Record<Exclude<DecideResult['kind'], 'decided'>, [number, string]> = {
  not_found: [404, 'no approval request with this id'],
  expired: [409, 'this request expired: the healing was escalated'],
  closed: [409, 'this request was decided already, or its healing ended']
};

/** Mounts the approval routes. */
export function approvalRoutes(router: Router, ctx: RouteCtx<ApprovalsDeps>): void {
  const read = async (): Promise<Book> => (await ctx.store.get<Book>(BOOK_KEY))?.value ?? emptyBook();
  const json = express.json({ limit: '8kb', type: () => true });

  router.get('/approvals', async (req, res) => {
    authorise(req, ctx.deps.operatorToken);
    const now = ctx.clock.now();
    const all = req.query.all === '1' || req.query.all === 'true';
    const entries = (await read()).entries.filter((e) => all || isPending(e, now)).reverse();
    res.json({ approvals: entries.map((e) => view(e, now)) });
  });

  router.get('/approvals/:id', async (req, res) => {
    authorise(req, ctx.deps.operatorToken);
    const now = ctx.clock.now();
    const entry = (await read()).entries.find((e) => e.request.approvalId === req.params.id);
    if (!entry) throw new RequestError(404, 'not_found', 'no approval request with this id');
    res.json(view(entry, now));
  });

  const guard: RequestHandler = (req, _res, next) => {
    authorise(req, ctx.deps.operatorToken);
    next();
  };
  // A browser-facing write: JSON only (415) and no other site's origin (403), before the body is read.
  router.post('/approvals/:id', guard, sameOriginJson(ctx.deps.allowedOrigins), json, async (req, res) => {
    const id = String(req.params.id);
    if (!ID.test(id)) throw new RequestError(400, 'bad_request', 'not an approval id');
    const parsed = Body.safeParse(req.body);
    if (!parsed.success) throw new RequestError(400, 'invalid_request', z.prettifyError(parsed.error));
    const { decision, reason, by } = parsed.data;
    if (decision === 'deny' && reason === '')
      throw new RequestError(400, 'invalid_request', 'a denial needs a reason (it goes into the healing outcome)');
    const now = ctx.clock.now();
    const who = `operator:${by ?? 'operator'}`;
    const result = await ctx.store.transact(BOOK_KEY, (b: Book | undefined) => {
      const r = decide(b ?? emptyBook(), id, { decision, by: who, reason, now });
      return { value: r.book, result: r.result };
    });
    if (result.kind !== 'decided') {
      const [status, message] = REFUSED[result.kind];
      throw new RequestError(status, result.kind, message);
    }
    // Stored first, so two operators deciding at once make one decision; if the broker cannot take it, the request
    // is pending again and the operator is told to retry (503).
    try {
      await ctx.publish([result.intent], { id: `${id}:decided`, source: '/cortex/approvals' });
    } catch (err) {
      await ctx.store.transact(BOOK_KEY, (b: Book | undefined) => ({ value: b && reopen(b, id), result: undefined }));
      throw new RequestError(
        503,
        'unavailable',
        `the decision could not be published, try again: ${(err as Error).message}`
      );
    }
    ctx.log.info({ approvalId: id, decision, by: who, healingId: result.entry.request.healingId }, `approval ${decision}d`);
    res.status(200).json(view(result.entry, now));
  });
}
