/**
 * The Python program a Patroni container runs for the whole run to answer "which TCP connections
 * to these ports (a comma-separated list) are established, and how long since each last sent and
 * received data": for every line on stdin, one JSON line on stdout, `{"conns": [[remote ip,
 * remote port, ms since last send, ms since last receive, local port, {counters}], ...]}` or
 * `{"error": "..."}`. The same figures as `ss -ti` (tcp_info's last_data_sent / last_data_recv),
 * read from the kernel's sock_diag netlink interface, so a sample costs a netlink dump instead of
 * starting `ss`. Python because every image has it (Patroni is written in it); the standard
 * library alone.
 *
 * The counters are those of `struct tcp_info` (linux/tcp.h) that tell new data from
 * retransmissions (dcs-endpoint-activity.ts uses them): retransmits, backoff (u8 at 2, 4),
 * unacked, retrans (u32 at 24, 36), total_retrans (u32 at 100), bytes_acked, bytes_received (u64
 * at 120, 128), notsent_bytes (u32 at 144), data_segs_out (u32 at 156), bytes_sent,
 * bytes_retrans (u64 at 200, 208). The kernel sends as much of the struct as it knows (232 bytes
 * for 4.19's fields, more on later kernels, less on older ones): a field is read only when the
 * attribute is long enough to hold it, and left out otherwise.
 */
export const TCP_CONNECTIONS_PY = String.raw`
import json, socket, struct, sys

PORTS = {int(p) for p in sys.argv[1].split(",")}
NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST_DUMP = 4, 20, 0x301
NLMSG_ERROR, NLMSG_DONE, INET_DIAG_INFO, TCP_ESTABLISHED = 2, 3, 2, 1
MSG_LEN = 72  # struct inet_diag_msg
TCPI_LAST_DATA_SENT = 44  # struct tcp_info: then last_ack_sent, last_data_recv (u32 each)
# struct tcp_info fields: (name, offset, struct format); read only if the kernel's struct has them.
TCPI = (("retransmits", 2, "B"), ("backoff", 4, "B"), ("unacked", 24, "I"), ("retrans", 36, "I"),
        ("total_retrans", 100, "I"), ("bytes_acked", 120, "Q"), ("bytes_received", 128, "Q"),
        ("notsent_bytes", 144, "I"), ("data_segs_out", 156, "I"), ("bytes_sent", 200, "Q"), ("bytes_retrans", 208, "Q"))

def tcp_info(data, start, length):
    """The last_data_sent / last_data_recv ms and the TCPI counters of a struct tcp_info of this length."""
    sent = received = 0
    if length >= TCPI_LAST_DATA_SENT + 12:
        sent, _, received = struct.unpack_from("=III", data, start + TCPI_LAST_DATA_SENT)
    counters = {}
    for name, at, fmt in TCPI:
        if length >= at + struct.calcsize("=" + fmt):
            counters[name] = struct.unpack_from("=" + fmt, data, start + at)[0]
    return sent, received, counters

def established(family):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    try:
        req = struct.pack("=BBBBI", family, socket.IPPROTO_TCP, 1 << (INET_DIAG_INFO - 1), 0, 1 << TCP_ESTABLISHED) + bytes(48)
        s.send(struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST_DUMP, 1, 0) + req)
        out = []
        while True:
            data = s.recv(1 << 16)
            off = 0
            while off + 16 <= len(data):
                length, kind = struct.unpack_from("=IH", data, off)
                if kind == NLMSG_DONE:
                    return out
                if kind == NLMSG_ERROR:
                    raise OSError(-struct.unpack_from("=i", data, off + 16)[0], "sock_diag")
                msg = off + 16
                local, port = struct.unpack_from(">HH", data, msg + 4)
                if port in PORTS:
                    remote = socket.inet_ntop(family, data[msg + 24 : msg + 24 + (4 if family == socket.AF_INET else 16)])
                    sent = received = 0
                    counters = {}
                    a = msg + MSG_LEN
                    while a + 4 <= off + length:
                        alen, atype = struct.unpack_from("=HH", data, a)
                        if alen < 4:
                            break
                        if atype == INET_DIAG_INFO:
                            sent, received, counters = tcp_info(data, a + 4, min(alen, off + length - a) - 4)
                        a += (alen + 3) & ~3
                    out.append([remote, port, sent, received, local, counters])
                off += (length + 3) & ~3
    finally:
        s.close()

for _ in sys.stdin:
    try:
        answer = {"conns": established(socket.AF_INET) + established(socket.AF_INET6)}
    except Exception as e:
        answer = {"error": str(e)}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
`;
