/* rc_workers: parallel apply with dependency tracking and commit in source
 * order (see rc_workers.h for why this shape).
 *
 * A ring of RC_W_SLOTS transactions: the coordinator fills slot seq % size,
 * workers claim them in order, and a slot is free again once its
 * transaction committed. Only the coordinator touches the key table. */
#include "apply/rc_workers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/rc_log.h"

#define RC_W_SLOTS 256
#define RC_W_HASH  (1u << 16) /* a collision only makes a transaction wait longer */

typedef struct rc_worker {
    struct rc_workers *pool;
    rc_target t;
    pthread_t th;
    int started;
} rc_worker;

struct rc_workers {
    int n;
    rc_worker *w;
    volatile int *stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    rc_txn ring[RC_W_SLOTS];
    uint64_t submitted, claimed, committed; /* sequence numbers, from 1 */
    uint64_t yield_to; /* a transaction blocked by a later one's locks: later ones roll back */
    int failed, quit;
    rc_err err;
    uint64_t last[RC_W_HASH]; /* the last transaction that wrote each key hash */
};

static rc_txn *rc_w_at(rc_workers *p, uint64_t seq)
{
    return &p->ring[(seq - 1) % RC_W_SLOTS];
}

/* Lock wait timeout, deadlock: another transaction holds what this one
 * needs (a lock the key hashes could not foresee: a gap, a foreign key). */
static int rc_w_lock_trouble(const rc_target *t)
{
    return t->last_errno == 1205 || t->last_errno == 1213;
}

/* Runs x up to its COMMIT and commits it in its turn. Called without mu. */
static int rc_w_apply(rc_workers *p, rc_target *t, rc_txn *x, rc_err *err)
{
    int ran = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        /* Before running: the last earlier writer of any of its keys has
         * committed (so its row changes are there to change). */
        while (p->committed < x->dep && !p->failed)
            pthread_cond_wait(&p->cv, &p->mu);
        int failed = p->failed;
        pthread_mutex_unlock(&p->mu);
        if (failed) return rc_err_set(err, RC_E_INTERNAL, "apply: another worker failed");
        if (!ran) {
            if (rc_target_run(t, x, err) < 0) {
                if (err->code == RC_E_LOST) {
                    if (rc_target_reconnect(t, err) < 0) return -1;
                    continue; /* nothing of x was committed: run it again */
                }
                if (!rc_w_lock_trouble(t)) return -1;
                rc_err ignored;
                rc_target_exec(t, "ROLLBACK", 8, NULL, &ignored);
                t->in_txn = 0;
                rc_debug("apply: transaction ending at %s waits for the ones before it (%s)",
                         x->pos, err->msg);
                pthread_mutex_lock(&p->mu);
                if (!p->yield_to || p->yield_to > x->seq) p->yield_to = x->seq;
                pthread_cond_broadcast(&p->cv);
                while (p->committed + 1 < x->seq && !p->failed)
                    pthread_cond_wait(&p->cv, &p->mu);
                pthread_mutex_unlock(&p->mu);
                continue; /* now first in line: nothing earlier holds a lock */
            }
            ran = 1;
        }
        /* Its turn: every earlier transaction committed. A later one that
         * waits here holding locks gives them up when an earlier one is
         * stuck on them, and runs again in its turn. */
        pthread_mutex_lock(&p->mu);
        while (p->committed + 1 < x->seq && !p->failed) {
            if (ran && p->yield_to && p->yield_to < x->seq) {
                pthread_mutex_unlock(&p->mu);
                rc_err ignored;
                rc_target_exec(t, "ROLLBACK", 8, NULL, &ignored);
                t->in_txn = 0;
                ran = 0;
                pthread_mutex_lock(&p->mu);
                continue;
            }
            pthread_cond_wait(&p->cv, &p->mu);
        }
        failed = p->failed;
        pthread_mutex_unlock(&p->mu);
        if (failed) return rc_err_set(err, RC_E_INTERNAL, "apply: another worker failed");
        if (!ran) continue;
        if (rc_target_commit(t, x, err) == 0) return 0;
        if (err->code != RC_E_LOST) return -1;
        /* The COMMIT may have got through before the connection broke. */
        if (rc_target_reconnect(t, err) < 0) return -1;
        if (rc_target_holds(t, x)) return 0;
        ran = 0;
    }
}

static void *rc_w_main(void *arg)
{
    rc_worker *me = arg;
    rc_workers *p = me->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && !p->failed && p->claimed == p->submitted)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->failed || (p->quit && p->claimed == p->submitted)) break;
        rc_txn *x = rc_w_at(p, ++p->claimed);
        pthread_mutex_unlock(&p->mu);
        rc_err err = {0};
        int rc = rc_w_apply(p, &me->t, x, &err);
        pthread_mutex_lock(&p->mu);
        if (rc < 0) {
            if (!p->failed) {
                p->failed = 1;
                p->err = err;
            }
            pthread_cond_broadcast(&p->cv);
            break;
        }
        p->committed = x->seq;
        if (p->yield_to == x->seq) p->yield_to = 0;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

rc_workers *rc_workers_open(const rc_url *url, int n, const char *name, rc_conflict on_conflict,
                            volatile int *stop, rc_err *err)
{
    rc_workers *p = rc_xcalloc(1, sizeof *p);
    p->n = n;
    p->stop = stop;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (int i = 0; i < RC_W_SLOTS; i++)
        rc_txn_init(&p->ring[i]);
    p->w = rc_xcalloc((size_t)n, sizeof *p->w);
    for (int i = 0; i < n; i++) {
        p->w[i].pool = p;
        /* A short lock wait: a wait on a later transaction's lock is broken
         * by rolling that one back (rc_w_apply), not waited out. */
        if (rc_target_open(&p->w[i].t, url, name, on_conflict, 3, stop, err) < 0) goto fail;
    }
    for (int i = 0; i < n; i++) {
        if (pthread_create(&p->w[i].th, NULL, rc_w_main, &p->w[i]) != 0) {
            rc_err_set(err, RC_E_INTERNAL, "apply: cannot start worker thread %d", i + 1);
            goto fail;
        }
        p->w[i].started = 1;
    }
    return p;
fail:
    rc_workers_close(p);
    return NULL;
}

rc_txn *rc_workers_slot(rc_workers *p, rc_err *err)
{
    pthread_mutex_lock(&p->mu);
    while (p->submitted + 1 - p->committed > RC_W_SLOTS && !p->failed)
        pthread_cond_wait(&p->cv, &p->mu);
    rc_txn *x = p->failed ? NULL : rc_w_at(p, p->submitted + 1);
    if (!x) *err = p->err;
    pthread_mutex_unlock(&p->mu);
    if (x) rc_txn_reset(x);
    return x;
}

void rc_workers_submit(rc_workers *p, rc_txn *x)
{
    uint64_t seq = p->submitted + 1, dep = 0;
    for (size_t i = 0; i < x->nkeys; i++) {
        uint64_t *slot = &p->last[x->keys[i] % RC_W_HASH];
        if (*slot > dep && *slot != seq) dep = *slot; /* a key it writes twice: not itself */
        *slot = seq;
    }
    x->seq = seq;
    x->dep = dep;
    pthread_mutex_lock(&p->mu);
    p->submitted = seq;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

int rc_workers_drain(rc_workers *p, rc_err *err)
{
    pthread_mutex_lock(&p->mu);
    while (p->committed < p->submitted && !p->failed)
        pthread_cond_wait(&p->cv, &p->mu);
    int failed = p->failed;
    if (failed) *err = p->err;
    pthread_mutex_unlock(&p->mu);
    return failed ? -1 : 0;
}

int rc_workers_idle(rc_workers *p)
{
    pthread_mutex_lock(&p->mu);
    int idle = p->committed == p->submitted;
    pthread_mutex_unlock(&p->mu);
    return idle;
}

void rc_workers_stats(rc_workers *p, rc_target_stats *sum)
{
    memset(sum, 0, sizeof *sum);
    for (int i = 0; p && i < p->n; i++) {
        sum->applied += p->w[i].t.st.applied;
        sum->conflicts += p->w[i].t.st.conflicts;
        sum->transactions += p->w[i].t.st.transactions;
        sum->reconnects += p->w[i].t.st.reconnects;
    }
}

void rc_workers_close(rc_workers *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    /* Stopping (SIGTERM) or failing: what is not committed stays so, and
     * comes again on the next start. */
    if (*p->stop) p->failed = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n; i++)
        if (p->w[i].started) pthread_join(p->w[i].th, NULL);
    for (int i = 0; i < p->n; i++)
        rc_target_close(&p->w[i].t);
    for (int i = 0; i < RC_W_SLOTS; i++)
        rc_txn_free(&p->ring[i]);
    free(p->w);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}
