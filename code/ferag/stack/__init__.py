"""The local stack: embedded servers started from wheels, and the `ferag up` supervisor."""
