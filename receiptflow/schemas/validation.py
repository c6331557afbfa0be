"""Receipt arithmetic and consistency checks -> Flags. (Being written.)"""

from __future__ import annotations

import datetime as dt

from receiptflow.schemas.flags import Flag
from receiptflow.schemas.receipt import Receipt


def validate_receipt(receipt: Receipt, *, today: dt.date | None = None) -> list[Flag]:
    raise NotImplementedError
