#!/usr/bin/env python3
# Runs a command (age) under a pseudo-terminal and types PASSPHRASE at each of its passphrase
# prompts: age reads passphrases from the terminal only. Exits with the command's status.
# usage: age_pty.py PASSPHRASE COMMAND ARGS...
import os
import pty
import sys

passphrase = sys.argv[1].encode() + b"\n"
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
seen, answered = b"", 0
while True:
    try:
        data = os.read(fd, 1024)
    except OSError:
        break
    if not data:
        break
    seen += data
    sys.stderr.buffer.write(data)
    while seen.count(b"assphrase") > answered:
        os.write(fd, passphrase)
        answered += 1
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
