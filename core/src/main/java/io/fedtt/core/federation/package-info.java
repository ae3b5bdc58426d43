/**
 * The federation protocol: one round coordinator per job, its durable store, the HTTP endpoint and
 * the client. Both {@code fedtt simulate} and the operator run exactly this code.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link io.fedtt.core.federation.FederationJobSpec} - the job as plain data (participants and
 *       weights, sampling, rounds, local steps/epochs, batch size, learning rate, seed, quorum,
 *       round timeout, retries, stop conditions, FedTT+ freezing policy, encoding, round-0 adapter).</li>
 *   <li>{@link io.fedtt.core.federation.coordinator.RoundCoordinator} - the one owner of round state:
 *       {@code open(spec, store, options)}, {@code task}/{@code pollTask}, {@code adapter},
 *       {@code submit}, {@code checkDeadline}, {@code status}, {@code history}, {@code global}.
 *       Events go to {@link io.fedtt.core.federation.coordinator.RoundListener}s; wire bytes are counted
 *       in its {@link io.fedtt.core.federation.coordinator.TrafficMeter}.</li>
 *   <li>{@link io.fedtt.core.federation.strategy.Strategy} - how rounds are planned (participants,
 *       trainable mask, task parameters) and aggregated; {@link io.fedtt.core.federation.strategy.FedAvg}
 *       with the job's freezing policy unless {@code CoordinatorOptions.withStrategy} says otherwise.</li>
 *   <li>{@link io.fedtt.core.federation.store.RoundStore} with
 *       {@link io.fedtt.core.federation.store.FileRoundStore} (atomic, checksummed files) and
 *       {@link io.fedtt.core.federation.store.MemoryRoundStore}.</li>
 *   <li>{@link io.fedtt.core.federation.server.FederationServer} - the endpoint on Netty's HTTP/1.1
 *       codec (per-connection header, body and idle timers; a cap on unauthenticated connections per
 *       client address), many jobs per server, bearer tokens from a
 *       {@link io.fedtt.core.federation.server.TokenRegistry}, TLS from
 *       {@link io.fedtt.core.federation.server.TlsConfig}.</li>
 *   <li>{@link io.fedtt.core.federation.client.FederationClient} and
 *       {@link io.fedtt.core.federation.client.ClientLoop} with a pluggable
 *       {@link io.fedtt.core.federation.client.ClientLoop.Trainer}.</li>
 * </ul>
 *
 * <h2>A round</h2>
 * Round r (1-based) trains from global adapter version r-1 (version 0 is the initial adapter). The
 * strategy plans it: FedAvg selects participants (cross-silo: all; cross-device: a sample
 * reproducible from the seed) and takes the freezing policy's mask for r (which tensors train and
 * travel); the coordinator opens the round with a deadline. Each upload is validated (tensor names =
 * exactly the mask, shapes, wire dtype, finite values, metadata), written durably, added to the
 * strategy's aggregation (FedAvg: a streaming weighted mean) with weight examples x participant
 * weight, then acknowledged. The round closes when every selected
 * participant has reported, or at the deadline with at least {@code minParticipants}; the others
 * are stragglers. Closing stores global version r, runs the optional central evaluation, records
 * the round (participants, stragglers, bytes up/down per participant, duration, federated and
 * central metrics, mask, per-tensor update energy) and checks the stop conditions (all rounds,
 * target accuracy, patience). Below the quorum at the deadline the try fails; it is retried (the
 * accepted updates are kept; cross-device re-samples the silent ones) up to
 * {@code maxRoundRetries} times, then the job fails. A restarted coordinator resumes the open round
 * with every acknowledged update and a fresh deadline.
 *
 * <h2>Wire</h2>
 * Endpoints, status codes and JSON bodies are described on
 * {@link io.fedtt.core.federation.server.FederationServer} and
 * {@link io.fedtt.core.federation.WireJson}. Updates and global adapters are packed bodies
 * ({@link io.fedtt.core.wire.PackedCodec}: the adapter layout's digest, a presence bitmap and the
 * values in the job's {@link io.fedtt.core.wire.Encoding}) for clients that know the layout, or
 * safetensors in the job's safetensors dtype for those that do not (int8 is packed only). A lossy
 * encoding's updates are deltas from the round's global with client-side error feedback
 * ({@link io.fedtt.core.wire.UpdateEncoder}); the validator turns them back into values, so the
 * strategy and the store's master copy (float32) never see the wire format. Both carry the
 * {@code fedtt.*} metadata keys of {@link io.fedtt.core.federation.UpdateInfo}
 * ({@code fedtt.examples} required; {@code fedtt.steps}, {@code fedtt.eval.accuracy},
 * {@code fedtt.eval.loss}, {@code fedtt.eval.examples} optional). Global adapters carry
 * {@code fedtt.job} and {@code fedtt.version}. {@code GET .../rounds/{r}/adapter?since=K} sends only
 * the tensors trainable in a completed round &gt;= K, for a client holding round K's adapter; a packed
 * client rebuilds the full body from its copy and checks it against the task's {@code packedDigest}.
 */
package io.fedtt.core.federation;
