"""Minimal WebDriver BiDi client over a stdlib WebSocket (text frames only)."""
import base64, json, os, socket, struct

class Bidi:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET /session HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += self.s.recv(4096)
        head, self.rest = buf.split(b"\r\n\r\n", 1)
        assert b" 101 " in head.split(b"\r\n")[0], head
        self.n = 0

    def _recv_exact(self, n):
        while len(self.rest) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.rest += chunk
        out, self.rest = self.rest[:n], self.rest[n:]
        return out

    def _frame(self):
        b1, b2 = self._recv_exact(2)
        n = b2 & 0x7F
        if n == 126: n = struct.unpack(">H", self._recv_exact(2))[0]
        elif n == 127: n = struct.unpack(">Q", self._recv_exact(8))[0]
        return b1 & 0x80, b1 & 0x0F, self._recv_exact(n)

    def _message(self):
        data = b""
        while True:
            fin, op, payload = self._frame()
            data += payload
            if fin:
                return json.loads(data)

    def call(self, method, params=None):
        self.n += 1
        payload = json.dumps({"id": self.n, "method": method, "params": params or {}}).encode()
        mask = os.urandom(4)
        head = bytes([0x81])
        n = len(payload)
        head += bytes([0x80 | n]) if n < 126 else (bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        while True:
            msg = self._message()
            if msg.get("id") == self.n:
                if msg.get("type") == "error":
                    raise RuntimeError(msg)
                return msg["result"]
