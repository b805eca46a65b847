#!/usr/bin/env python3
"""Create a pseudo-terminal pair; print the slave's path; relay master <-> stdin/stdout.

The test's SLCAN adapter model sits on stdin/stdout (the adapter end), and the driver
opens the slave path like a USB-CAN adapter's /dev/ttyACM0. Exits when stdin closes.
"""
import os
import select
import sys
import tty

master, slave = os.openpty()
tty.setraw(slave)
sys.stdout.buffer.write((os.ttyname(slave) + "\n").encode())
sys.stdout.flush()
while True:
    ready, _, _ = select.select([0, master], [], [])
    if 0 in ready:
        data = os.read(0, 4096)
        if not data:
            break
        os.write(master, data)
    if master in ready:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        os.write(1, data)
