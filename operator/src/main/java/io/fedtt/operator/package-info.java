/** The FedTT Kubernetes operator: reconciles FederatedFineTune resources and hosts the federation endpoint. */
package io.fedtt.operator;
