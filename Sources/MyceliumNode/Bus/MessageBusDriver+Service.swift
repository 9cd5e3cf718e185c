import MyceliumCore
import MyceliumGatewayKit
import NIOCore
import NIOPosix
import ServiceLifecycle

extension MessageBusDriver: Service {
    /// How often the timers run while transfers are in progress, and at most how long they sleep otherwise.
    static let busyTick = Duration.milliseconds(10)
    static let idleTick = Duration.milliseconds(250)
    /// How often old delivery keys and finished outbox rows are pruned from the store.
    static let pruneInterval = Duration.seconds(3600)

    /// Runs the retransmission timers, the persistence worker and the topic forwarders until graceful shutdown.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.runStoreWorker() }
            group.addTask { await self.runForwarders() }
            await self.runTimers()
            self.stop()
        }
    }

    private func runTimers() async {
        var lastPrune = RouterDriver.now() - Self.pruneInterval
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let now = RouterDriver.now()
            let actions = self.state.withLock { $0.machine.tick(now: now) }
            self.execute(actions)
            if now.duration(since: lastPrune) >= Self.pruneInterval {
                lastPrune = now
                self.pruneStore()
            }
            let wakeup = self.state.withLock { $0.machine.nextWakeup }
            let pause: Duration
            if let wakeup {
                let untilWakeup = wakeup.duration(since: RouterDriver.now())
                pause = min(max(untilWakeup, Self.busyTick), Self.idleTick)
            } else {
                pause = Self.idleTick
            }
            try? await Task.sleep(for: pause)
        }
    }

    private func pruneStore() {
        let nowUnix = Self.unixNow()
        let bus = self.configuration.bus
        self.enqueue(.pruneDelivered(before: nowUnix - bus.deliveredRetention.components.seconds))
        self.enqueue(.pruneOutgoing(finishedBefore: nowUnix - bus.finishedRetention.components.seconds))
    }

    /// Ends long polls and reply waits, and lets the store worker and forwarders finish.
    private func stop() {
        let (waiters, slots) = self.state.withLock { state in
            let slots = state.replySlots
            state.replySlots = [:]
            return (state.inbox.removeAllWaiters(), slots)
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
        for case .waiting(let continuation) in slots.values { continuation.resume(returning: nil) }
        self.forwardsContinuation.finish()
        self.stopStoreWorker()
    }

    /// Forwards messages of topics with a forward socket (spec §5.4): writes the payload to the socket, reads its
    /// answer to EOF and sends that back as the reply. If the socket fails, the message stays in the inbox.
    private func runForwarders() async {
        await withDiscardingTaskGroup { group in
            for await job in self.forwards {
                group.addTask { await self.forward(job) }
            }
        }
    }

    private func forward(_ job: ForwardJob) async {
        let payload = job.message.message.payload
        let limit = self.configuration.bus.maximumMessageSize
        let timeout = self.configuration.forwardTimeout
        let answer: Result<[UInt8], TopicForwardSocket.Failure>
        do {
            answer = try await NIOThreadPool.singleton.runIfActive {
                TopicForwardSocket.exchange(payload, path: job.socketPath, timeout: timeout, answerLimit: limit)
            }
        } catch {
            answer = .failure(TopicForwardSocket.Failure(reason: "\(error)"))
        }
        switch answer {
        case .success(let reply):
            let source = job.message.message.source
            do throws(MessageBusError) {
                try await self.reply(
                    to: job.message.message.id, with: OutgoingMessage(destination: .ip(source), payload: reply)
                )
            } catch {
                self.logger.warning("forwarded message's reply not sent", metadata: ["error": "\(error)"])
            }
            self.consumed(job.message, peek: false)
        case .failure(let failure):
            self.logger.warning(
                "topic forward socket failed; message kept in the inbox",
                metadata: ["socket": "\(job.socketPath)", "error": "\(failure.reason)"]
            )
            let (woken, _) = self.state.withLock { $0.inbox.add(job.message) }
            for waiter in woken { waiter.continuation.resume(returning: job.message) }
        }
    }
}
