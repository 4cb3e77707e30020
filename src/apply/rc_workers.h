/* rc_workers: `rowcast apply --workers N`, source transactions applied on
 * N target connections at once, each row's changes still in source order,
 * each transaction still whole and exactly once.
 *
 * The design (docs/apply.md, "Parallel apply"): transactions are numbered
 * in arrival order and claimed by the workers in that order. Each carries
 * the hashes of the (table, key) pairs it writes; a transaction waits,
 * before it runs, for the last earlier one that wrote any of its keys to
 * commit (dependency tracking, as MariaDB's parallel replication waits on
 * conflicting transactions). Its statements then run beside the others',
 * but it commits only after every earlier transaction has committed
 * (commit order = source order). So the target's committed transactions are
 * always a prefix of the source's, and the one position row of the
 * single-threaded applier stays exactly right: no skip-sets, nothing to
 * reconcile after a crash. What runs in parallel is the statements' round
 * trips and the server's work on them; the COMMITs queue. */
#ifndef RC_WORKERS_H
#define RC_WORKERS_H

#include "apply/rc_target.h"

typedef struct rc_workers rc_workers;

/* Opens n connections to url (url and name must outlive the pool). NULL
 * with err when a connection fails. */
rc_workers *rc_workers_open(const rc_url *url, int n, const char *name, rc_conflict on_conflict,
                            volatile int *stop, rc_err *err);

/* A free transaction to fill (reset), waiting while the pool is full;
 * NULL with err when a worker has failed (its error). */
rc_txn *rc_workers_slot(rc_workers *w, rc_err *err);
/* Hands the slot from rc_workers_slot, filled, to the workers. */
void rc_workers_submit(rc_workers *w, rc_txn *x);
/* Waits until every submitted transaction is committed; -1 with the
 * failing worker's error. */
int rc_workers_drain(rc_workers *w, rc_err *err);

/* Is every submitted transaction committed? (Does not wait.) */
int rc_workers_idle(rc_workers *w);

/* The workers' counters added up. */
void rc_workers_stats(rc_workers *w, rc_target_stats *sum);

/* Lets the workers finish what they claimed, then closes; NULL is a no-op. */
void rc_workers_close(rc_workers *w);

#endif
