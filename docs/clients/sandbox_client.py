"""A minimal client of the gateway sandbox (or any RBS/BPC-style gateway): registers an order, then reads its
status. Python 3.8+, standard library only. Run: python3 docs/clients/sandbox_client.py

Settings (environment): GATEWAY_URL (default http://127.0.0.1:3001/payment/rest/), GATEWAY_USERNAME and
GATEWAY_PASSWORD (default: the standalone sandbox's public demo merchant), ORDER_NUMBER (default: a fresh one).
Prints two JSON lines: the register answer, then the status fields a shop decides on.
"""
import json
import os
import time
import urllib.parse
import urllib.request

GATEWAY_URL = os.environ.get("GATEWAY_URL", "http://127.0.0.1:3001/payment/rest/").rstrip("/") + "/"
CREDENTIALS = {
    "userName": os.environ.get("GATEWAY_USERNAME", "demo-shop-api"),
    "password": os.environ.get("GATEWAY_PASSWORD", "demo-shop-password"),
}


def call(method, params):
    """One call: a form-encoded POST; business errors come back with HTTP 200 and a non-zero errorCode."""
    data = urllib.parse.urlencode({**CREDENTIALS, **params}).encode()
    request = urllib.request.Request(GATEWAY_URL + method + ".do", data=data, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.load(response)
    # errorCode is "0" (a string) or 0 (a number), or missing, when the call was processed.
    if int(body.get("errorCode", 0)) != 0:
        raise RuntimeError(f"{method}.do refused: errorCode {body['errorCode']}")
    return body


def main():
    order_number = os.environ.get("ORDER_NUMBER", f"python-{int(time.time() * 1000)}")
    registered = call(
        "register",
        {
            "orderNumber": order_number,
            "amount": "1250",  # minor units: 12.50
            "currency": "978",
            "returnUrl": "https://shop.example/return",
            "description": "Sandbox client example",
        },
    )
    print(json.dumps({"orderNumber": order_number, **registered}))
    status = call("getOrderStatusExtended", {"orderId": registered["orderId"]})
    print(json.dumps({key: status.get(key) for key in ("orderStatus", "actionCode", "amount", "currency")}))


if __name__ == "__main__":
    main()
