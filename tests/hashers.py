"""Password hashing for tests: the production algorithm with few rounds.

Every persona a test makes gets a password, and every browser test signs in: at Django's
1.2 million rounds each hash took about half a second, most of a typical test's time. The
hashes these write are ordinary `pbkdf2_sha256` ones (the rounds are stored in the hash), so
a product process started by a test (gunicorn, a worker) checks them with its own hasher.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1_000
