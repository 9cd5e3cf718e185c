import MyceliumCore
import MyceliumCrypto
import NIOCore
import NIOPosix

/// Store writes waiting for the persistence worker, which commits everything queued in one transaction.
struct StoreJobQueue {
    struct Job {
        let write: MessageStoreWrite
        let completion: (@Sendable (Result<MessageStoreWriteResult, MessageStoreError>) -> Void)?
    }

    var jobs: [Job] = []
    var worker: CheckedContinuation<Void, Never>?
    var isStopping = false
}

extension MessageBusDriver {
    /// Queues a store write whose outcome nobody waits for.
    func enqueue(_ write: MessageStoreWrite) {
        self.enqueue(write, completion: nil)
    }

    func enqueue(
        _ write: MessageStoreWrite,
        completion: (@Sendable (Result<MessageStoreWriteResult, MessageStoreError>) -> Void)?
    ) {
        let worker = self.jobs.withLock { queue -> CheckedContinuation<Void, Never>? in
            queue.jobs.append(StoreJobQueue.Job(write: write, completion: completion))
            defer { queue.worker = nil }
            return queue.worker
        }
        worker?.resume()
    }

    /// Queues a write and waits until it is committed.
    func persist(_ write: MessageStoreWrite) async -> Result<MessageStoreWriteResult, MessageStoreError> {
        await withCheckedContinuation { continuation in
            self.enqueue(write) { continuation.resume(returning: $0) }
        }
    }

    /// Commits queued writes, a batch per transaction, until stopped (then drains what is left).
    func runStoreWorker() async {
        while let batch = await self.nextBatch() {
            let writes = batch.map(\.write)
            let store = self.store
            let outcome: Result<[MessageStoreWriteResult], MessageStoreError>
            do {
                outcome = .success(
                    try await NIOThreadPool.singleton.runIfActive { () throws(MessageStoreError) in
                        try store.apply(writes)
                    }
                )
            } catch let error as MessageStoreError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(.writeFailed(reason: "\(error)"))
            }
            switch outcome {
            case .success(let results):
                for (job, result) in zip(batch, results) { job.completion?(.success(result)) }
            case .failure(let error):
                self.logger.error("message store write failed", metadata: ["error": "\(error)"])
                for job in batch { job.completion?(.failure(error)) }
            }
        }
    }

    private func nextBatch() async -> [StoreJobQueue.Job]? {
        while true {
            enum Next {
                case batch([StoreJobQueue.Job])
                case stop
                case wait
            }
            let next = self.jobs.withLock { queue -> Next in
                if !queue.jobs.isEmpty {
                    defer { queue.jobs = [] }
                    return .batch(queue.jobs)
                }
                return queue.isStopping ? .stop : .wait
            }
            switch next {
            case .batch(let jobs): return jobs
            case .stop: return nil
            case .wait:
                await withCheckedContinuation { continuation in
                    let resumeNow = self.jobs.withLock { queue -> Bool in
                        guard queue.jobs.isEmpty, !queue.isStopping else { return true }
                        queue.worker = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    /// Lets the worker finish what is queued and return.
    func stopStoreWorker() {
        let worker = self.jobs.withLock { queue -> CheckedContinuation<Void, Never>? in
            queue.isStopping = true
            defer { queue.worker = nil }
            return queue.worker
        }
        worker?.resume()
    }

    // MARK: - Delivery

    /// Persists a verified message; once committed, acknowledges it (DONE-ACK) and hands it to a reply waiter, the
    /// topic's forward socket or the inbox. A message the inbox has no room for is not acknowledged: its sender retries.
    func persistDelivery(_ message: IncomingMessage, acknowledgement: MessagePacket) {
        let source = message.key.source
        let (sourceKey, hasRoom) = self.state.withLock { state in
            let hasRoom =
                state.inbox.count < self.configuration.maximumInboxMessages
                && state.inbox.bytes + message.payload.readableBytes <= self.configuration.maximumInboxBytes
            return (state.sourceKeys[source], hasRoom)
        }
        guard hasRoom, let sourceKey else {
            self.state.withLock { $0.machine.deliveryFailed(message.key) }
            self.logger.warning(
                "message not accepted", metadata: ["source": "\(source)", "reason": hasRoom ? "unknown key" : "inbox full"]
            )
            return
        }
        let stored = StoredIncomingMessage(
            message: ReceivedMessage(
                id: message.key.id, source: source, sourceKey: sourceKey, destination: self.identity.address,
                destinationKey: self.identity.publicKey, topic: message.topic,
                payload: Array(message.payload.readableBytesView)
            ),
            isReply: message.key.isReply,
            receivedAt: Self.unixNow()
        )
        self.enqueue(.saveIncoming(stored)) { result in
            switch result {
            case .success(.stored(let sequence)):
                var delivered = stored
                delivered.sequence = sequence
                self.transmit(acknowledgement, to: source)
                self.state.withLock { $0.machine.delivered(message.key, now: RouterDriver.now()) }
                self.handOn(delivered)
            case .success(.duplicate), .success(.done):
                // Delivered before (the store remembers it even when memory does not): acknowledge only.
                self.transmit(acknowledgement, to: source)
                self.state.withLock { $0.machine.delivered(message.key, now: RouterDriver.now()) }
            case .failure:
                self.state.withLock { $0.machine.deliveryFailed(message.key) }
            }
        }
    }

    /// Gives a persisted message to whoever waits for it: the `send` waiting for this reply, the topic's forward
    /// socket, a long-polling `receive`, or the inbox.
    private func handOn(_ message: StoredIncomingMessage) {
        enum Destination {
            case replyWaiter(CheckedContinuation<ReceivedMessage?, Never>?)
            case forward(String)
            case inbox(woken: [MessageInbox.Waiter], taken: Bool)
        }
        let destination = self.state.withLock { state -> Destination in
            if message.isReply, let slot = state.replySlots[message.message.id] {
                switch slot {
                case .expecting:
                    state.replySlots[message.message.id] = .arrived(message.message)
                    return .replyWaiter(nil)
                case .waiting(let continuation):
                    state.replySlots[message.message.id] = nil
                    return .replyWaiter(continuation)
                case .arrived, .expired:
                    break
                }
            }
            if !message.isReply, let path = state.machine.topicPolicy.forwardSocket(for: message.message.topic) {
                return .forward(path)
            }
            let (woken, taken) = state.inbox.add(message)
            return .inbox(woken: woken, taken: taken)
        }
        switch destination {
        case .replyWaiter(let waiter):
            waiter?.resume(returning: message.message)
            self.consumed(message, peek: false)
        case .forward(let path):
            self.forwardsContinuation.yield(ForwardJob(message: message, socketPath: path))
        case .inbox(let woken, _):
            for waiter in woken { waiter.continuation.resume(returning: message) }
        }
    }

    /// A message was read: tell its sender (READ) and, unless only peeked at, delete it from the store.
    func consumed(_ message: StoredIncomingMessage, peek: Bool) {
        let key = DeliveryKey(source: message.message.source, id: message.message.id, isReply: message.isReply)
        let actions = self.state.withLock { $0.machine.read(key) }
        self.execute(actions)
        if !peek { self.enqueue(.deleteIncoming(sequence: message.sequence)) }
    }
}
