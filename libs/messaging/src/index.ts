export * from './messaging.port';
export { backoffDelay, sleep } from './backoff';
export { KafkaJsMessagingClient, type KafkaJsClientOptions, type KafkaSasl } from './kafkajs/kafkajs-client';
