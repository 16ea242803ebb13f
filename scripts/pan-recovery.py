#!/usr/bin/env python3
"""Try to rebuild card numbers from a copy of a Till ledger folder (issue 10, finding 3).

    python3 scripts/pan-recovery.py FOLDER [--cvv CODE ...]

Works on a temporary copy of FOLDER (the ledger, its -wal, GoblinPay's ledger, anything
beside them), as someone holding a backup would:

1. every file that reads as 64 hex digits is taken as a candidate 32-byte secret;
2. every stored card (first 6, last 4, HMAC fingerprint) is collected from every SQLite
   file: columns card_first6/card_last4/card_fingerprint in any table, and any JSON text
   cell holding first6/last4/fingerprint (stored request intents);
3. for each card, the unknown middle digits (6, or 5 for American Express) are enumerated
   under the Luhn rule (the check fixes one digit: 10^5 candidates per card) and each
   candidate's HMAC-SHA256 under every candidate secret is compared to the fingerprint;
4. every file is scanned for runs of 12-19 digits that pass Luhn, and for the security
   codes given with --cvv (as whole tokens).

Prints what it tried and what it found. Exit status 0 when no card number was rebuilt and
no stored card's number appears in any file, 2 otherwise.
"""
import argparse
import hmac
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time

HEX64 = re.compile(rb"\A[0-9a-fA-F]{64}\Z")
DIGIT_RUN = re.compile(rb"(?<![0-9])[0-9]{12,19}(?![0-9])")


def luhn_ok(digits):
    total = 0
    for offset, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if offset % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def find_secrets(files):
    secrets = []
    for path, data in files:
        text = data.strip()
        if HEX64.match(text):
            secrets.append((path, bytes.fromhex(text.decode())))
    return secrets


def cards_from_json(value, found):
    if isinstance(value, dict):
        first6, last4, fingerprint = value.get("first6"), value.get("last4"), value.get("fingerprint")
        if isinstance(first6, str) and isinstance(last4, str) and isinstance(fingerprint, str):
            found.add((first6, last4, str(value.get("brand", "")), fingerprint))
        for inner in value.values():
            cards_from_json(inner, found)
    elif isinstance(value, list):
        for inner in value:
            cards_from_json(inner, found)


def stored_cards(path):
    found = set()
    connection = sqlite3.connect(path)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            if {"card_first6", "card_last4", "card_fingerprint"} <= set(columns):
                brand = "card_brand" if "card_brand" in columns else "''"
                for first6, last4, kind, fingerprint in connection.execute(
                        f'SELECT card_first6, card_last4, {brand}, card_fingerprint FROM "{table}" '
                        "WHERE card_fingerprint IS NOT NULL"):
                    found.add((str(first6), str(last4), str(kind or ""), str(fingerprint)))
            for column in columns:
                for (cell,) in connection.execute(f'SELECT "{column}" FROM "{table}" WHERE typeof("{column}") = \'text\''):
                    if cell.startswith("{") or cell.startswith("["):
                        try:
                            cards_from_json(json.loads(cell), found)
                        except ValueError:
                            pass
    finally:
        connection.close()
    return found


def candidates(first6, last4, length):
    """Every number of `length` digits with this first 6 and last 4 that passes Luhn: the
    last unknown digit is solved from the others."""
    unknown = length - 10
    for middle in range(10 ** (unknown - 1)):
        prefix = first6 + str(middle).zfill(unknown - 1)
        for digit in "0123456789":
            number = prefix + digit + last4
            if luhn_ok(number):
                yield number
                break


def search(card, secrets, counter):
    first6, last4, brand, fingerprint = card
    length = 15 if brand == "amex" or first6[:2] in ("34", "37") else 16
    if not secrets:
        return None
    for number in candidates(first6, last4, length):
        counter[0] += 1
        message = number.encode()
        for _, secret in secrets:
            if hmac.digest(secret, message, "sha256").hex() == fingerprint:
                return number
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--cvv", action="append", default=[], help="a security code that was typed (repeatable)")
    options = parser.parse_args()
    started = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="pan-recovery-") as scratch:
        copy = os.path.join(scratch, "copy")
        shutil.copytree(options.folder, copy)
        files = []
        for root, _, names in os.walk(copy):
            for name in sorted(names):
                path = os.path.join(root, name)
                if name.endswith("-shm"):
                    os.remove(path)  # a copied -shm may not match its -wal; SQLite rebuilds it
                    continue
                with open(path, "rb") as handle:
                    files.append((path, handle.read()))
        shown = lambda path: os.path.relpath(path, copy)
        print(f"copied {options.folder}: {len(files)} files ({', '.join(shown(p) for p, _ in files)})")

        secrets = find_secrets(files)
        print(f"secrets found (files of 64 hex digits): {len(secrets)} {[shown(p) for p, _ in secrets]}")

        cards = set()
        for path, data in files:
            if data.startswith(b"SQLite format 3\x00"):
                try:
                    found = stored_cards(path)
                except sqlite3.DatabaseError as error:
                    print(f"{shown(path)}: not readable as SQLite ({error})")
                    continue
                print(f"{shown(path)}: {len(found)} stored cards (first 6, last 4, fingerprint)")
                cards |= found
        print(f"distinct stored cards: {len(cards)}")

        counter = [0]
        recovered = []
        for card in sorted(cards):
            number = search(card, secrets, counter)
            label = f"{card[0]}******{card[1]} ({card[2] or 'brand?'})"
            outcome = "REBUILT " + number if number else "not rebuilt" if secrets else "not rebuilt (no secret to test candidates with)"
            print(f"  {label}: {outcome}")
            if number:
                recovered.append(number)
        print(f"candidates tried: {counter[0]} x {len(secrets)} secrets")

        leaked = []
        for path, data in files:
            for match in DIGIT_RUN.finditer(data):
                run = match.group().decode()
                if luhn_ok(run):
                    stored = any(run.startswith(c[0]) and run.endswith(c[1]) for c in cards)
                    print(f"  {shown(path)}: a {len(run)}-digit run passes Luhn: {run[:6]}...{run[-4:]}"
                          + (" (a stored card's number)" if stored else ""))
                    if stored:
                        leaked.append(run)
            for code in options.cvv:
                if re.search(rb"(?<![0-9A-Za-z])" + re.escape(code.encode()) + rb"(?![0-9A-Za-z])", data):
                    print(f"  {shown(path)}: holds the security code {code}")
                    leaked.append(code)

    elapsed = time.monotonic() - started
    print(f"rebuilt {len(recovered)} of {len(cards)} card numbers; {len(leaked)} card numbers or codes in files; {elapsed:.2f} s")
    return 2 if recovered or leaked else 0


if __name__ == "__main__":
    sys.exit(main())
