/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum.h - the votequorum algorithm as a pure state machine (shared
 * spec votequorum.md): a node table fed by views and ordered messages,
 * expected votes, the quorum formula and the options two_node,
 * wait_for_all, last_man_standing, auto_tie_breaker, allow_downscale,
 * expected_votes_tracking and the quorum device with master_wins.
 *
 * The core does no I/O, reads no clock, arms no timer and keeps no
 * globals.  Every input comes through a call: start-up configuration,
 * the three synchronisation phases of a new view, messages delivered in
 * agreed order (the sender's own included), client operations, and
 * "now" in milliseconds where a deadline may be armed.  Every output goes
 * through the environment's hooks: messages to multicast, events for
 * clients, log lines.  The caller asks syn_quorum_next_deadline() when to
 * call syn_quorum_tick() next.
 *
 * Hooks may be called from any syn_quorum_* call; they must not call
 * back into the core (queue the message and deliver it after the call
 * returns, as the membership layer would).
 */
#ifndef SYN_CORE_QUORUM_H
#define SYN_CORE_QUORUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYN_QUORUM_NAME_MAX 255 /* qdevice name, without NUL */
#define SYN_QUORUM_ATB_MAX 64	/* auto_tie_breaker_node list entries */
#define SYN_QUORUM_NO_DEADLINE UINT64_MAX

/* Node states as clients see them. */
enum {
	SYN_QUORUM_STATE_MEMBER = 1,
	SYN_QUORUM_STATE_DEAD = 2,
	SYN_QUORUM_STATE_LEAVING = 3,
};

/* Per-node flags carried in NODEINFO. */
enum {
	SYN_QUORUM_NF_QUORATE = 1,
	SYN_QUORUM_NF_LEAVING = 2,
	SYN_QUORUM_NF_WFASTATUS = 4,
	SYN_QUORUM_NF_FIRST = 8,
	SYN_QUORUM_NF_QDEVICE_REGISTERED = 16,
	SYN_QUORUM_NF_QDEVICE_ALIVE = 32,
	SYN_QUORUM_NF_QDEVICE_CAST_VOTE = 64,
	SYN_QUORUM_NF_QDEVICE_MASTER_WINS = 128,
};

/* Flags of syn_quorum_info (the VOTEQUORUM_INFO_* values). */
enum {
	SYN_QUORUM_INFO_TWONODE = 1,
	SYN_QUORUM_INFO_QUORATE = 2,
	SYN_QUORUM_INFO_WAIT_FOR_ALL = 4,
	SYN_QUORUM_INFO_LAST_MAN_STANDING = 8,
	SYN_QUORUM_INFO_AUTO_TIE_BREAKER = 16,
	SYN_QUORUM_INFO_ALLOW_DOWNSCALE = 32,
	SYN_QUORUM_INFO_QDEVICE_REGISTERED = 64,
	SYN_QUORUM_INFO_QDEVICE_ALIVE = 128,
	SYN_QUORUM_INFO_QDEVICE_CAST_VOTE = 256,
	SYN_QUORUM_INFO_QDEVICE_MASTER_WINS = 512,
};

enum syn_quorum_atb {
	SYN_QUORUM_ATB_NONE = 0,
	SYN_QUORUM_ATB_LOWEST = 1,
	SYN_QUORUM_ATB_HIGHEST = 2,
	SYN_QUORUM_ATB_LIST = 3,
};

struct syn_quorum_node_cfg {
	uint32_t nodeid;
	uint32_t votes;
};

/*
 * Configuration as read from the store.  Pointers are borrowed for the
 * call only.  Unset optional values are flagged, not guessed.
 */
struct syn_quorum_config {
	uint32_t local_nodeid;
	uint32_t expected_votes; /* quorum.expected_votes, 0 = unset */
	uint32_t votes;		 /* quorum.votes, used without a nodelist */
	bool have_nodelist;
	size_t n_nodes;
	const struct syn_quorum_node_cfg *nodes;
	bool two_node;
	bool wait_for_all_set; /* quorum.wait_for_all present */
	bool wait_for_all;
	bool last_man_standing;
	uint32_t lms_window_ms;
	bool auto_tie_breaker;
	const char *auto_tie_breaker_node; /* NULL = absent */
	bool allow_downscale;
	bool ev_tracking;
	uint32_t evt_barrier; /* stored barrier, loaded by the caller */
	bool have_device;     /* quorum.device.model non-empty */
	bool device_votes_set;
	uint32_t device_votes;
	uint32_t device_timeout_ms;
	uint32_t device_sync_timeout_ms;
};

enum syn_quorum_msg_type {
	SYN_QUORUM_MSG_NODEINFO = 1,
	SYN_QUORUM_MSG_RECONFIGURE = 2,
	SYN_QUORUM_MSG_DEVICE_REG = 3,
	SYN_QUORUM_MSG_DEVICE_RENAME = 4,
};

enum syn_quorum_param {
	SYN_QUORUM_PARAM_EXPECTED_VOTES = 1,
	SYN_QUORUM_PARAM_NODE_VOTES = 2,
	SYN_QUORUM_PARAM_CANCEL_WFA = 3,
};

enum { SYN_QUORUM_DEVICE_REGISTER = 1, SYN_QUORUM_DEVICE_UNREGISTER = 2 };

/* One message between nodes, delivered in agreed order to every member. */
struct syn_quorum_msg {
	uint32_t type;
	uint32_t nodeid;   /* NODEINFO: whose info (0 = device); RECONFIGURE: target */
	uint32_t votes;	   /* NODEINFO */
	uint32_t expected; /* NODEINFO */
	uint32_t flags;	   /* NODEINFO */
	uint32_t param;	   /* RECONFIGURE */
	uint32_t value;	   /* RECONFIGURE */
	uint32_t op;	   /* DEVICE_REG */
	char name[SYN_QUORUM_NAME_MAX + 1];    /* DEVICE_REG; DEVICE_RENAME new name */
	char oldname[SYN_QUORUM_NAME_MAX + 1]; /* DEVICE_RENAME */
};

struct syn_quorum_ring {
	uint32_t nodeid;
	uint64_t seq;
};

enum syn_quorum_event_type {
	SYN_QUORUM_EV_NODELIST = 1,    /* a new view, during sync */
	SYN_QUORUM_EV_QUORUM = 2,      /* activation, a quorate flip, or a refresh */
	SYN_QUORUM_EV_EXPECTED = 3,    /* own expected votes raised or set */
	SYN_QUORUM_EV_REGISTERED = 4,  /* a deferred qdevice register finished */
	SYN_QUORUM_EV_EVT_BARRIER = 5, /* persist the new tracking barrier */
};

struct syn_quorum_event {
	enum syn_quorum_event_type type;
	bool quorate;	/* QUORUM */
	bool refresh;	/* QUORUM: only the notified node table or votes changed */
	uint32_t value; /* EXPECTED, EVT_BARRIER */
	int result;	/* REGISTERED: 0, -EEXIST */
	struct syn_quorum_ring ring;
	size_t n_members; /* NODELIST, QUORUM: the current view */
	const uint32_t *members;
};

struct syn_quorum_env {
	void *ctx;
	/* Multicast msg in agreed order (the copy is the caller's). */
	void (*send)(void *ctx, const struct syn_quorum_msg *msg);
	void (*event)(void *ctx, const struct syn_quorum_event *ev);
	/* level is a syslog priority. */
	void (*log)(void *ctx, int level, const char *text);
	/* Allocation hook; NULL = realloc. */
	void *(*realloc)(void *ctx, void *ptr, size_t size);
};

struct syn_quorum_info {
	uint32_t node_id;
	uint32_t state;
	uint32_t votes;
	uint32_t expected_votes;
	uint32_t highest_expected;
	uint32_t total_votes;
	uint32_t quorum;
	uint32_t flags;
	uint32_t qdevice_votes;
	char qdevice_name[SYN_QUORUM_NAME_MAX + 1];
};

/* One entry of the node table, in table order. */
struct syn_quorum_node {
	uint32_t nodeid;
	uint32_t state;
};

/* Values published as runtime.votequorum.* keys. */
struct syn_quorum_status {
	uint32_t this_node_id;
	bool two_node;
	uint32_t ev_barrier;
	bool have_lowest; /* lowest/highest known once quorate by votes */
	uint32_t lowest_node_id, highest_node_id;
	bool wfa_in_effect;
	bool wfa_status;
	bool atb_published;
	uint32_t atb_type;
	bool have_device;
	bool qdevice_can_operate;
	bool master_wins_published;
	bool master_wins;
	bool ev_tracking;
	uint32_t evt_barrier;
};

struct syn_quorum;

/*
 * Validate cfg (start-up rules) and create the state; the local node is
 * the only entry, MEMBER with FIRST, and its NODEINFO is sent.  On a
 * configuration error returns -EINVAL with the reason text in reason.
 */
int syn_quorum_create(const struct syn_quorum_config *cfg, const struct syn_quorum_env *env,
		      struct syn_quorum **out, char *reason, size_t reason_len);
void syn_quorum_destroy(struct syn_quorum *q);

/* Synchronisation after a membership change (spec 5.1). */
int syn_quorum_sync_init(struct syn_quorum *q, struct syn_quorum_ring ring, const uint32_t *members,
			 size_t n_members, uint64_t now_ms);
/* Sends this node's messages once; true when the phase is complete. */
bool syn_quorum_sync_process(struct syn_quorum *q);
void syn_quorum_sync_activate(struct syn_quorum *q);

/* A message delivered in agreed order from sender. -ENOMEM leaves q unchanged. */
int syn_quorum_deliver(struct syn_quorum *q, uint32_t sender, const struct syn_quorum_msg *msg);

/* Fire every deadline <= now_ms. */
void syn_quorum_tick(struct syn_quorum *q, uint64_t now_ms);
uint64_t syn_quorum_next_deadline(const struct syn_quorum *q);

/* Client operations: 0 or -errno (spec 8 and ipc-wire 5.4/5.5). */
int syn_quorum_getinfo(const struct syn_quorum *q, uint32_t nodeid, struct syn_quorum_info *out);
int syn_quorum_setexpected(struct syn_quorum *q, uint32_t expected);
int syn_quorum_setvotes(struct syn_quorum *q, uint32_t nodeid, uint32_t votes);
void syn_quorum_cancel_wfa(struct syn_quorum *q);
/* Announce a clean shutdown (only with allow_downscale). */
void syn_quorum_leave(struct syn_quorum *q);
/* 1 = deferred: the result comes as SYN_QUORUM_EV_REGISTERED. */
int syn_quorum_qdevice_register(struct syn_quorum *q, const char *name);
int syn_quorum_qdevice_unregister(struct syn_quorum *q, const char *name);
int syn_quorum_qdevice_update(struct syn_quorum *q, const char *oldname, const char *newname);
int syn_quorum_qdevice_poll(struct syn_quorum *q, const char *name, bool cast_vote,
			    struct syn_quorum_ring ring, uint64_t now_ms);
int syn_quorum_qdevice_master_wins(struct syn_quorum *q, const char *name, bool allow);

/* Re-read configuration at run time (spec 7); sends the resulting messages. */
int syn_quorum_reconfigure(struct syn_quorum *q, const struct syn_quorum_config *cfg);

/* Queries. */
bool syn_quorum_is_quorate(const struct syn_quorum *q);
struct syn_quorum_ring syn_quorum_ring(const struct syn_quorum *q);
/* The current view; borrowed until the next call. */
const uint32_t *syn_quorum_members(const struct syn_quorum *q, size_t *n);
/*
 * The node table in table order plus {0, 0} when a device is registered
 * locally; writes at most max entries, returns the full count.
 */
size_t syn_quorum_nodes(const struct syn_quorum *q, struct syn_quorum_node *out, size_t max);
void syn_quorum_status(const struct syn_quorum *q, struct syn_quorum_status *out);

/* The formula: a strict majority of x, i.e. x / 2 + 1. */
static inline uint32_t syn_quorum_majority(uint32_t x)
{
	return x / 2 + 1;
}

#endif /* SYN_CORE_QUORUM_H */
