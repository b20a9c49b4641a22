"""The app of the original write-up: a FastAPI service that keeps state between requests.

Two variants, chosen by the environment:
- without REDIS_URL, state lives in this process's memory (the write-up's original app);
- with REDIS_URL (e.g. redis://:password@redis:6379/0), state lives in Redis, shared by every process.

Every answer carries the process id, so a reader can see which process served it. Run it with
`uvicorn main:app --host 0.0.0.0 --port 8596` (one process), and scale with replicas, not --workers.
"""

import os
import secrets

from fastapi import FastAPI, Request, Response

NOT_FOUND = "NOT_FOUND"
PID = os.getpid()


class MemoryStore:
    """State in this process's memory: each worker process has its own copy."""

    def __init__(self):
        self.data = {}

    def set(self, key, value):
        self.data[key] = value

    def get(self, key):
        return self.data.get(key)


class RedisStore:
    """State in Redis: every process and every replica sees the same values."""

    def __init__(self, url):
        import redis  # python3-redis; imported only when REDIS_URL is set

        self.client = redis.Redis.from_url(url, decode_responses=True)

    def set(self, key, value):
        self.client.set(key, value)

    def get(self, key):
        return self.client.get(key)


REDIS_URL = os.environ.get("REDIS_URL")
store = RedisStore(REDIS_URL) if REDIS_URL else MemoryStore()
app = FastAPI(title="fastapi-sessions")


@app.get("/set/{key}/{value}")
def set_value(key: str, value: str):
    store.set(f"kv:{key}", value)
    return {"pid": PID, "key": key, "value": value}


@app.get("/get/{key}")
def get_value(key: str):
    value = store.get(f"kv:{key}")
    return {"pid": PID, "key": key, "value": NOT_FOUND if value is None else value}


@app.post("/login")
def login(user: str, response: Response):
    session = secrets.token_hex(16)
    store.set(f"session:{session}", user)
    response.set_cookie("session", session, httponly=True, samesite="lax")
    return {"pid": PID, "user": user}


@app.get("/me")
def me(request: Request, response: Response):
    session = request.cookies.get("session")
    user = store.get(f"session:{session}") if session else None
    if user is None:
        response.status_code = 401
        return {"pid": PID, "user": None, "detail": "not logged in"}
    return {"pid": PID, "user": user}


@app.get("/healthz")
def healthz():
    return {"pid": PID, "store": type(store).__name__}
