CREATE TABLE "quota_buckets" (
	"client_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"instant" double precision NOT NULL
);
--> statement-breakpoint
-- Written by hand: a quota's instant need not survive a crash (a lost one is a full bucket
-- again), so the table writes no WAL and a token's take waits for no WAL flush.
ALTER TABLE "quota_buckets" SET UNLOGGED;--> statement-breakpoint
CREATE TABLE "usage_hours" (
	"client_id" text COLLATE "C" NOT NULL,
	"hour" bigint NOT NULL,
	"door" text COLLATE "C" NOT NULL,
	"kind" text COLLATE "C" NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "usage_hours_client_id_hour_door_kind_pk" PRIMARY KEY("client_id","hour","door","kind")
);
--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "tokens_per_minute" bigint;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "burst" bigint;--> statement-breakpoint
ALTER TABLE "quota_buckets" ADD CONSTRAINT "quota_buckets_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_hours_hour" ON "usage_hours" USING btree ("hour");