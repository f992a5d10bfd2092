"""The seed stack's numbers, for BENCHMARKS.md: pyca bcrypt, passlib and PyJWT on this machine.

Run both environments made by scripts/interop-env.sh (the script measures whatever its
environment has and skips the rest):

    target/interop/venv-modern/bin/python benches/python/compare.py
    target/interop/venv-passlib/bin/python benches/python/compare.py
    target/interop/venv-argon2/bin/python benches/python/compare.py

Each figure is the median of several timed runs, as criterion reports medians; compare with the
Rust benchmarks only as ratios measured in the same session on the same machine.
"""

import statistics
import time


def median_seconds(func, runs):
    """Median wall time of `runs` calls of func()."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_op_seconds(func, batch, runs=7):
    """Median over `runs` batches of the time per call, for fast operations."""
    return median_seconds(lambda: [func() for _ in range(batch)], runs) / batch


def bcrypt_costs():
    try:
        import bcrypt
    except ImportError:
        return
    password = b"correct horse battery staple"
    print(f"pyca bcrypt {bcrypt.__version__ if hasattr(bcrypt, '__version__') else '?'}: hashpw, ms per hash")
    for cost in range(4, 15):
        runs = 15 if cost <= 10 else 5
        took = median_seconds(lambda: bcrypt.hashpw(password, bcrypt.gensalt(cost)), runs)
        print(f"  cost {cost:2d}: {took * 1000:9.2f} ms")


def passlib_cost_12():
    try:
        from passlib.hash import bcrypt, bcrypt_sha256
    except ImportError:
        return
    password = "correct horse battery staple"
    for name, handler in [("bcrypt", bcrypt), ("bcrypt_sha256", bcrypt_sha256)]:
        hasher = handler.using(rounds=12)
        stored = hasher.hash(password)
        took = median_seconds(lambda: hasher.verify(password, stored), 5)
        print(f"passlib {name} cost 12 verify: {took * 1000:.1f} ms")


def pyjwt():
    try:
        import jwt
    except ImportError:
        return
    secret = b"bench-secret-bench-secret-bench!"
    now = int(time.time())
    claims = {"sub": "alice", "iat": now, "exp": now + 900, "iss": "https://auth.example.com",
              "aud": "api", "jti": "x", "role": "admin"}
    token = jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "at+jwt"})
    options = {"require": ["exp", "iat", "sub", "iss", "aud"]}

    def decode():
        jwt.decode(token, secret, algorithms=["HS256"], audience="api",
                   issuer="https://auth.example.com", options=options)

    encode_s = per_op_seconds(lambda: jwt.encode(claims, secret, algorithm="HS256"), 2000)
    decode_s = per_op_seconds(decode, 2000)
    print(f"PyJWT {jwt.__version__} HS256: encode {1 / encode_s:,.0f} ops/s ({encode_s * 1e6:.1f} us), "
          f"decode+validate {1 / decode_s:,.0f} ops/s ({decode_s * 1e6:.1f} us)")


def argon2_cffi():
    """argon2-cffi (pwdlib's backend) at the parameter sets benches/hashing.rs measures."""
    try:
        import argon2
    except ImportError:
        return
    from importlib.metadata import version

    password = "correct horse battery staple"
    for label, memory_kib, time_cost, lanes in [
        ("OWASP minimum m=19456,t=2,p=1", 19456, 2, 1),
        ("pwdlib default m=65536,t=3,p=4", 65536, 3, 4),
    ]:
        hasher = argon2.PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=lanes)
        stored = hasher.hash(password)
        hash_s = median_seconds(lambda: hasher.hash(password), 15)
        verify_s = median_seconds(lambda: hasher.verify(stored, password), 15)
        print(f"argon2-cffi {version('argon2-cffi')} {label}: hash {hash_s * 1000:.1f} ms, "
              f"verify {verify_s * 1000:.1f} ms")


if __name__ == "__main__":
    bcrypt_costs()
    passlib_cost_12()
    pyjwt()
    argon2_cffi()
