/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hdb.h - the handle database of corosync 3 client libraries, a thin
 * inline layer over libqb's qbhdb (reference-counted handle -> instance
 * table).  Kept for source compatibility: <corosync/cmap.h> includes it.
 */
#ifndef HDB_H_DEFINED
#define HDB_H_DEFINED

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdint.h>
#include <inttypes.h>
#include <qb/qbhdb.h>

typedef qb_handle_t hdb_handle_t;

#define HDB_D_FORMAT QB_HDB_D_FORMAT
#define HDB_X_FORMAT QB_HDB_X_FORMAT
#define hdb_handle_database qb_hdb
#define DECLARE_HDB_DATABASE QB_HDB_DECLARE

static inline void hdb_database_lock(pthread_mutex_t *mutex)
{
	pthread_mutex_lock(mutex);
}

static inline void hdb_database_unlock(pthread_mutex_t *mutex)
{
	pthread_mutex_unlock(mutex);
}

static inline void hdb_database_lock_init(pthread_mutex_t *mutex)
{
	pthread_mutex_init(mutex, NULL);
}

static inline void hdb_database_lock_destroy(pthread_mutex_t *mutex)
{
	pthread_mutex_destroy(mutex);
}

static inline void hdb_create(struct hdb_handle_database *db)
{
	qb_hdb_create(db);
}

static inline void hdb_destroy(struct hdb_handle_database *db)
{
	qb_hdb_destroy(db);
}

static inline int hdb_handle_create(struct hdb_handle_database *db, int instance_size,
				    hdb_handle_t *handle_id_out)
{
	return qb_hdb_handle_create(db, instance_size, handle_id_out);
}

static inline int hdb_handle_get(struct hdb_handle_database *db, hdb_handle_t handle_in,
				 void **instance)
{
	return qb_hdb_handle_get(db, handle_in, instance);
}

static inline int hdb_handle_get_always(struct hdb_handle_database *db, hdb_handle_t handle_in,
					void **instance)
{
	return qb_hdb_handle_get_always(db, handle_in, instance);
}

static inline int hdb_handle_put(struct hdb_handle_database *db, hdb_handle_t handle_in)
{
	return qb_hdb_handle_put(db, handle_in);
}

static inline int hdb_handle_destroy(struct hdb_handle_database *db, hdb_handle_t handle_in)
{
	return qb_hdb_handle_destroy(db, handle_in);
}

static inline int hdb_handle_refcount_get(struct hdb_handle_database *db, hdb_handle_t handle_in)
{
	return qb_hdb_handle_refcount_get(db, handle_in);
}

static inline void hdb_iterator_reset(struct hdb_handle_database *db)
{
	qb_hdb_iterator_reset(db);
}

static inline int hdb_iterator_next(struct hdb_handle_database *db, void **instance,
				    hdb_handle_t *handle)
{
	return qb_hdb_iterator_next(db, instance, handle);
}

static inline unsigned int hdb_base_convert(hdb_handle_t handle)
{
	return qb_hdb_base_convert(handle);
}

static inline unsigned long long hdb_nocheck_convert(unsigned int handle)
{
	return qb_hdb_nocheck_convert(handle);
}

#endif /* HDB_H_DEFINED */
