CREATE TABLE "apis" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text COLLATE "C" NOT NULL,
	"mode" text NOT NULL,
	"name" text NOT NULL,
	"permissions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"token_ttl_seconds" bigint,
	"alg" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grants" (
	"client_id" text COLLATE "C" NOT NULL,
	"api_id" text NOT NULL,
	"permissions" text DEFAULT '' NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "grants_client_id_api_id_pk" PRIMARY KEY("client_id","api_id")
);
--> statement-breakpoint
DROP INDEX "signing_keys_one_current";--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD COLUMN "audience" text;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_api_id_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "apis_mode_identifier" ON "apis" USING btree ("mode","identifier");--> statement-breakpoint
CREATE INDEX "grants_api_id" ON "grants" USING btree ("api_id");--> statement-breakpoint
CREATE UNIQUE INDEX "signing_keys_one_current" ON "signing_keys" USING btree ("mode","alg") WHERE "signing_keys"."current";