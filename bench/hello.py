"""The limit: a bare Flask hello-world, served by the same gunicorn settings as the app
(``gunicorn -w 2 bench.hello:app``)."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
