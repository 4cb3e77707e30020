/* rc_table: the little a table knows how to do itself. */
#include "event/rc_table.h"

void rc_table_drop_enc_caches(rc_table *t)
{
    for (int i = 0; i < RC_TABLE_ENC_SLOTS; i++) {
        if (t->enc_cache[i] && t->enc_cache_free[i]) t->enc_cache_free[i](t->enc_cache[i]);
        t->enc_cache[i] = NULL;
        t->enc_cache_free[i] = NULL;
    }
}
