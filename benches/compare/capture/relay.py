"""A recording TCP relay: sits between a real client and a real server on 127.0.0.1 and keeps
the bytes of each direction of each connection, unchanged.

    relay = Relay(upstream_port=1143, out_dir=Path("raw"), label="imap-mbsync")
    ... point the client at 127.0.0.1:relay.port ...
    relay.close()   # waits for open connections to end, then stops listening

Each connection becomes two files in `out_dir`: `<label>-<n>.c2s` (what the client sent) and
`<label>-<n>.s2c` (what the server sent). Nothing is parsed or reordered here; the splitting
into protocol units is `split.py`'s job. Standard library only.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path


class Relay:
    """Listens on an ephemeral 127.0.0.1 port and relays every connection to `upstream_port`."""

    def __init__(self, upstream_port: int, out_dir: Path, label: str) -> None:
        self.upstream_port = upstream_port
        self.out_dir = out_dir
        self.label = label
        out_dir.mkdir(parents=True, exist_ok=True)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port: int = self.listener.getsockname()[1]
        self.count = 0
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []
        self.closing = False
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def _accept(self) -> None:
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.count += 1
                n = self.count
            t = threading.Thread(target=self._session, args=(client, n), daemon=True)
            t.start()
            with self.lock:
                self.threads.append(t)

    def _session(self, client: socket.socket, n: int) -> None:
        server = socket.create_connection(("127.0.0.1", self.upstream_port))
        stem = self.out_dir / f"{self.label}-{n:03}"
        with open(f"{stem}.c2s", "wb") as c2s, open(f"{stem}.s2c", "wb") as s2c:
            up = threading.Thread(target=_pump, args=(client, server, c2s), daemon=True)
            down = threading.Thread(target=_pump, args=(server, client, s2c), daemon=True)
            up.start()
            down.start()
            up.join()
            down.join()
        client.close()
        server.close()

    def close(self, timeout: float = 30.0) -> None:
        """Waits for the open connections to finish, then stops listening."""
        with self.lock:
            threads = list(self.threads)
        for t in threads:
            t.join(timeout)
        self.closing = True
        self.listener.close()


def _pump(src: socket.socket, dst: socket.socket, record) -> None:
    """Copies `src` to `dst` until `src` closes, recording every byte; then half-closes `dst`."""
    while True:
        try:
            data = src.recv(65536)
        except OSError:
            data = b""
        if not data:
            break
        record.write(data)
        try:
            dst.sendall(data)
        except OSError:
            break
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass
