"""A multi-threaded Python target for pgchaos-clockshim tests (what Patroni looks like: threads
plus time.time(), datetime.now() and time.monotonic()). Prints one line every 0.2 s:
    <time.time()> <datetime.now().timestamp()> <time.monotonic()> <calls>
"""
import datetime
import sys
import threading
import time

calls = 0


def worker():
    global calls
    while True:
        time.time()
        time.monotonic()
        datetime.datetime.now()
        time.sleep(0.0005)
        calls += 1


for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 4):
    threading.Thread(target=worker, daemon=True).start()
while True:
    print(f"{time.time():.6f} {datetime.datetime.now().timestamp():.6f} {time.monotonic():.6f} {calls}", flush=True)
    time.sleep(0.2)
