/**
 * The Python program a Patroni container runs for the whole run to answer "which TCP connections
 * to these ports (a comma-separated list) are established, and how long since each last sent and
 * received data": for every line on stdin, one JSON line on stdout, `{"conns": [[remote ip,
 * remote port, ms since last send, ms since last receive], ...]}` or `{"error": "..."}`. The same figures as `ss -ti` (tcp_info's
 * last_data_sent / last_data_recv), read from the kernel's sock_diag netlink interface, so a
 * sample costs a netlink dump instead of starting `ss`. Python because every image has it
 * (Patroni is written in it); the standard library alone.
 */
export const TCP_CONNECTIONS_PY = String.raw`
import json, socket, struct, sys

PORTS = {int(p) for p in sys.argv[1].split(",")}
NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST_DUMP = 4, 20, 0x301
NLMSG_ERROR, NLMSG_DONE, INET_DIAG_INFO, TCP_ESTABLISHED = 2, 3, 2, 1
MSG_LEN = 72  # struct inet_diag_msg
TCPI_LAST_DATA_SENT = 44  # struct tcp_info: then last_ack_sent, last_data_recv (u32 each)

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
                port = struct.unpack_from(">H", data, msg + 6)[0]
                if port in PORTS:
                    remote = socket.inet_ntop(family, data[msg + 24 : msg + 24 + (4 if family == socket.AF_INET else 16)])
                    sent = received = 0
                    a = msg + MSG_LEN
                    while a + 4 <= off + length:
                        alen, atype = struct.unpack_from("=HH", data, a)
                        if alen < 4:
                            break
                        if atype == INET_DIAG_INFO and alen >= 4 + TCPI_LAST_DATA_SENT + 12:
                            sent, _, received = struct.unpack_from("=III", data, a + 4 + TCPI_LAST_DATA_SENT)
                        a += (alen + 3) & ~3
                    out.append([remote, port, sent, received])
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
