from .events import (
    DeliveryStatus,
    EventType,
    JobLease,
    Notification,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from .orders import (
    Channel,
    Customer,
    IdempotencyKey,
    Order,
    OrderLine,
    Payment,
    PaymentOperation,
    ReviewRule,
    TimelineEntry,
    reservation_reference,
)
from .people import Profile, Role

__all__ = [
    "Channel",
    "Customer",
    "DeliveryStatus",
    "EventType",
    "IdempotencyKey",
    "JobLease",
    "Notification",
    "Order",
    "OrderLine",
    "OutboxEvent",
    "Payment",
    "PaymentOperation",
    "Profile",
    "ReviewRule",
    "Role",
    "TimelineEntry",
    "WebhookDelivery",
    "WebhookSubscription",
    "reservation_reference",
]
