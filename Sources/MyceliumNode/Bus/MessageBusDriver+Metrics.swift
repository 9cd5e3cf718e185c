import MyceliumCore

extension MessageBusDriver {
    /// The bus's counters and gauges for `/metrics` (`mycelium_message_*`).
    public func metricSamples() -> [MetricSample] {
        let (counters, outbox, incoming, inbox) = self.state.withLock { state in
            (state.machine.counters, state.machine.outboxUsage, state.machine.incomingUsage, state.inbox.count)
        }
        func counter(_ name: String, _ help: String, _ value: UInt64) -> MetricSample {
            MetricSample(name: "mycelium_message_\(name)", help: help, kind: .counter, value: Double(value))
        }
        func gauge(_ name: String, _ help: String, _ value: Int) -> MetricSample {
            MetricSample(name: "mycelium_message_\(name)", help: help, kind: .gauge, value: Double(value))
        }
        return [
            counter("sent", "Messages accepted for sending.", counters.messagesSent),
            counter("delivered", "Messages received, verified and stored.", counters.messagesDelivered),
            counter("aborted", "Messages given up at their deadline.", counters.messagesAborted),
            counter("duplicates_suppressed", "Messages received again and not delivered twice.", counters.duplicatesSuppressed),
            counter("refused_too_large", "Incoming messages over the size limit.", counters.refusedTooLarge),
            counter("refused_by_topic_policy", "Incoming messages the topic policy refused.", counters.refusedByPolicy),
            counter("refused_no_room", "Incoming messages refused while the receive buffers were full.", counters.refusedNoRoom),
            counter("refused_chunks", "Chunks out of bounds or inconsistent.", counters.refusedChunks),
            counter("corrupt", "Messages whose checksum did not match.", counters.corruptMessages),
            counter("unknown_transfer_packets", "Packets for transfers this node does not know.", counters.unknownTransfers),
            counter("malformed_packets", "Bus packets that did not parse.", counters.malformedPackets),
            counter("retransmissions", "Packets sent again after a timeout.", counters.retransmissions),
            counter("restarted_transfers", "Transfers restarted after the receiver stopped answering.", counters.restartedTransfers),
            gauge("outbox_messages", "Messages on their way.", outbox.messages),
            gauge("outbox_bytes", "Payload bytes of messages on their way.", outbox.bytes),
            gauge("incoming_transfers", "Messages arriving.", incoming.transfers),
            gauge("inbox_messages", "Delivered messages not read yet.", inbox),
        ]
    }
}
