"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1:PORT that writes each message
it accepts to DIR: the raw message as <n>.eml and, parsed by Python's e-mail package, the
envelope, headers and both parts as <n>.json (written last, so a .json means a whole message).

usage: server.py PORT DIR
"""
import asyncio
import email
import email.policy
import json
import os
import sys
import time

from aiosmtpd.controller import Controller


def part(msg, kind):
    body = msg.get_body((kind,))
    return body.get_content() if body is not None else None


class Keep:
    def __init__(self, out):
        self.out = out
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        name = os.path.join(self.out, f"{time.time_ns()}-{os.getpid()}-{self.n}")
        raw = envelope.original_content or envelope.content
        with open(name + ".eml", "wb") as f:
            f.write(raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parsed = {
            "mail_from": envelope.mail_from,
            "rcpt_to": envelope.rcpt_tos,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]),
            "content_type": msg.get_content_type(),
            "text": part(msg, "plain"),
            "html": part(msg, "html"),
        }
        with open(name + ".tmp", "w") as f:
            json.dump(parsed, f)
        os.rename(name + ".tmp", name + ".json")
        return "250 OK"


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    controller = Controller(Keep(out), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.new_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
