/*
 * knet_frame.h - the header synod puts in front of every membership
 * packet it hands to kronosnet.  knet's packet filter reads it to route
 * the packet (unicast to dst, or to every host when dst is 0) and checks
 * on receive that src is the host knet authenticated the packet from.
 *
 *   off size field
 *     0    4 magic    SYN_FRAME_MAGIC, little endian
 *     4    4 src      sending node id
 *     8    4 dst      destination node id, 0 = every other node
 *    12    - payload  one packet of the membership core
 */
#ifndef SYN_PROTO_KNET_FRAME_H
#define SYN_PROTO_KNET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define SYN_FRAME_MAGIC 0x314e5953u /* "SYN1" */

struct syn_knet_frame {
	uint32_t magic;
	uint32_t src;
	uint32_t dst;
};

_Static_assert(sizeof(struct syn_knet_frame) == 12, "frame size");
_Static_assert(offsetof(struct syn_knet_frame, src) == 4, "frame src");
_Static_assert(offsetof(struct syn_knet_frame, dst) == 8, "frame dst");

#endif /* SYN_PROTO_KNET_FRAME_H */
