"""Every list a record holds comes back in one order, whatever plan the database chooses."""

from sqlalchemy.orm import configure_mappers

from triggers.models import Base


def test_every_collection_of_every_record_has_one_order():
    """Ordered, and ending on the row's id, so that two rows on one date keep their order too:
    without it the order is the plan's, and after the planner's statistics changed (an import
    runs ANALYZE) pooled connections listed a case's agencies in two orders."""
    configure_mappers()
    collections = [
        (f"{mapper.class_.__name__}.{relationship.key}", relationship)
        for mapper in Base.registry.mappers
        for relationship in mapper.relationships
        if relationship.uselist
    ]
    assert len(collections) >= 12
    not_one_order = [
        name
        for name, relationship in collections
        if relationship.order_by is False
        or list(relationship.order_by)[-1] not in relationship.mapper.primary_key
    ]
    assert not_one_order == []
