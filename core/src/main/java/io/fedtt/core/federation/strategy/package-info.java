/**
 * The strategy seam: what a federated method decides, apart from the coordinator's bookkeeping.
 * {@link io.fedtt.core.federation.strategy.Strategy#configureRound} plans a round (who trains, which
 * tensors, with which parameters) and {@link io.fedtt.core.federation.strategy.Strategy#startAggregation}
 * combines its updates into the next global adapter, with round metrics and optional server state.
 * {@link io.fedtt.core.federation.strategy.FedAvg} is the default; FedTT+ freezing plugs into it as
 * the mask decision. The {@code Strategy} Javadoc says where server optimizers, robust aggregation,
 * differential privacy and secure aggregation fit.
 */
package io.fedtt.core.federation.strategy;
