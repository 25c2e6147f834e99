"""Tools for developers, run as modules (`python -m scripts.bench_serve`): the fixture
builder, the constituency facts and hex layout, the benchmarks, the round-trip digest.

They never serve the archive to anyone, so unless SECRET_KEY is set they (and the servers
and commands they start) use a key of their own.
"""

import os

os.environ.setdefault("SECRET_KEY", "scripts-only-key-for-local-tools-0123456789abcdefghij")
