"""Network servers hosting protocol codecs; they ack device data only once it is durable."""
