"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1:PORT that writes each message
it accepts to DIR as <n>.eml, with the envelope (sender, recipients) in <n>.json.

usage: server.py PORT DIR
"""
import asyncio
import json
import os
import sys
import time

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, out):
        self.out = out
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        name = f"{time.time_ns()}-{os.getpid()}-{self.n}"
        tmp = os.path.join(self.out, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(os.path.join(self.out, name + ".json"), "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        os.rename(tmp, os.path.join(self.out, name + ".eml"))
        return "250 OK"


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    controller = Controller(Keep(out), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
