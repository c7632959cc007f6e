/** Values the integration project's globalSetup (test/setup/kafka.ts) provides to tests. */
declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port[,host:port...]` of the Kafka the integration tests run against. */
    bootstrapServers: string;
  }
}

export {};
