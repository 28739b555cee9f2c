"""The 98 municipalities are loaded by a data migration with their official codes."""

import pytest

from network.models import Municipality, Region

pytestmark = pytest.mark.django_db


def test_all_98_municipalities_with_unique_codes():
    codes = list(Municipality.objects.values_list("code", flat=True))
    assert len(codes) == 98
    assert len(set(codes)) == 98
    assert all(len(code) == 3 and code.isdigit() for code in codes)


@pytest.mark.parametrize(
    ("name", "code", "region"),
    [
        ("Randers", "730", Region.MIDTJYLLAND),
        ("Herning", "657", Region.MIDTJYLLAND),
        ("Roskilde", "265", Region.SJAELLAND),
        ("Rudersdal", "230", Region.HOVEDSTADEN),
        ("København", "101", Region.HOVEDSTADEN),
        ("Aalborg", "851", Region.NORDJYLLAND),
        ("Odense", "461", Region.SYDDANMARK),
    ],
)
def test_known_codes_and_regions(name, code, region):
    municipality = Municipality.objects.get(code=code)
    assert municipality.name == name
    assert municipality.region == region


def test_regions_hold_their_number_of_municipalities():
    counts = {region: Municipality.objects.filter(region=region).count() for region in Region}
    assert counts == {
        Region.HOVEDSTADEN: 29,
        Region.SJAELLAND: 17,
        Region.SYDDANMARK: 22,
        Region.MIDTJYLLAND: 19,
        Region.NORDJYLLAND: 11,
    }


def test_slugs_are_ascii():
    assert Municipality.objects.get(name="Ærø").slug == "aeroe"
    assert Municipality.objects.get(name="Høje-Taastrup").slug == "hoeje-taastrup"
