import { Events } from '../../shared/events/catalog.js';
import { defineFunction, type AnyFunctionDef } from '../../shared/runtime/define-function.js';
import { addRequest, BOOK_KEY, closeHealing, emptyBook, type Book } from './book.js';
import { approvalRoutes, type ApprovalsDeps } from './routes.js';

/**
 * Approvals (DESIGN §12): keeps the approval requests the coordinator sends, serves them to operators
 * (`GET /approvals`, operator token), and turns an operator's `POST /approvals/<id>` into a signed
 * `dev.cortex.approval.decided`. It has no Kubernetes access: it decides nothing about the cluster itself.
 */
export default defineFunction({
  name: 'approvals',
  description: 'Keeps pending approval requests for risky actions and publishes operators’ signed decisions.',
  on: [Events.ApprovalRequested, Events.HealingCompleted, Events.HealingFailed],
  emits: [Events.ApprovalDecided],
  requires: ['operatorToken'],
  // The requests and their decisions: on Redis with CORTEX_REDIS_URL, shared by any number of replicas.
  sharedState: 'redis',
  knative: { secrets: ['cortex-secrets'] },
  // Takes approval requests only from the coordinator and signs its decisions, with the key only the two hold.
  trust: {
    verify: [{ types: [Events.ApprovalRequested], key: 'approval', refuse: 'ignore' }],
    sign: [{ types: [Events.ApprovalDecided], key: 'approval' }]
  },
  setup: ({ config }): ApprovalsDeps => ({
    operatorToken: config.operatorToken!,
    allowedOrigins: config.security.allowedOrigins
  }),
  async handle(event, { store, clock, log }) {
    const now = clock.now();
    if (event.type !== Events.ApprovalRequested.type) {
      const { healingId } = event.data as { healingId: string };
      await store.transact(BOOK_KEY, (b: Book | undefined) => ({
        value: b && closeHealing(b, healingId),
        result: undefined
      }));
      return [];
    }
    const request = event.data as Parameters<typeof addRequest>[1];
    const result = await store.transact(BOOK_KEY, (b: Book | undefined) => {
      const r = addRequest(b ?? emptyBook(), request, now);
      return { value: r.book, result: r.result };
    });
    if (result === 'bad_digest')
      log.warn({ approvalId: request.approvalId }, 'approval request refused: its digest does not match it');
    else
      log.info(
        { approvalId: request.approvalId, action: request.action, expiresAt: request.expiresAt },
        `approval request ${result}`
      );
    return [];
  },
  routes: (router, ctx) => approvalRoutes(router, ctx)
}) satisfies AnyFunctionDef;
