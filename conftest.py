from __future__ import annotations

import pytest

from waymark.test import Personas, create_personas


@pytest.fixture
def people(db: None) -> Personas:
    return create_personas()
