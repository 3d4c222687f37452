import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type SchemaObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { CASE_ACTIONS, INTAKE_DTOS } from './command-mappers';
import { CallerDto, DisputePartyDto, PetitionerDto } from './intake.dto';

@Module({})
class EmptyModule {}

const BODY_CLASSES: Type<object>[] = [
  ...Object.values(INTAKE_DTOS),
  ...Object.values(CASE_ACTIONS).map((action) => action.body),
  PetitionerDto,
  CallerDto,
  DisputePartyDto,
];

/** Every field of SPEC §7's people, and the fields that hold them. */
const PERSONAL_DATA_FIELDS = [
  'RegisterPetitionDto.petitioner',
  'PetitionerDto.name',
  'PetitionerDto.phone',
  'PetitionerDto.idNumber',
  'PetitionerDto.address',
  'ReceiveHotlineTicketDto.caller',
  'AmendTicketDto.caller',
  'CallerDto.name',
  'CallerDto.phone',
  'RegisterDisputeDto.parties',
  'DisputePartyDto.name',
  'DisputePartyDto.phone',
].sort();

/** The properties class-validator enforces on a class: what the docs must describe, no more, no less. */
function validatedProperties(cls: Type<object>): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))].sort();
}

describe('OpenAPI description of the bodies', () => {
  let app: INestApplication;
  let schemas: Record<string, SchemaObject>;

  beforeAll(async () => {
    // An application that is never listened on: the document is built from metadata alone.
    app = await NestFactory.create(EmptyModule, { logger: false });
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build(), { extraModels: BODY_CLASSES });
    schemas = (document.components?.schemas ?? {}) as Record<string, SchemaObject>;
  });

  afterAll(() => app.close());

  const propertiesOf = (cls: Type<object>) => schemas[cls.name].properties as Record<string, SchemaObject>;

  it.each(BODY_CLASSES.map((cls) => [cls.name, cls] as const))(
    '%s documents exactly its validated fields, each with a description and an example',
    (_name, cls) => {
      const properties = propertiesOf(cls);

      expect(Object.keys(properties).sort()).toEqual(validatedProperties(cls));
      for (const [name, property] of Object.entries(properties)) {
        expect({ name, description: property.description }).toEqual({ name, description: expect.stringMatching(/\S/) });
        // A nested body's example is its own schema's; the reference carries none.
        const nested = 'allOf' in property || property.type === 'array';
        expect({ name, hasExample: nested || property.example !== undefined }).toEqual({ name, hasExample: true });
      }
    },
  );

  it('marks required fields as the validation does', () => {
    expect([...(schemas.RegisterPetitionDto.required ?? [])].sort()).toEqual([
      'channel',
      'community',
      'description',
      'petitioner',
      'title',
    ]);
    expect(schemas.SignDto.required ?? []).toEqual([]);
    expect([...(schemas.RequestExtensionDto.required ?? [])].sort()).toEqual(['days', 'reason']);
  });

  it('marks personal data, and only personal data, in the descriptions', () => {
    const marked = BODY_CLASSES.flatMap((cls) =>
      Object.entries(propertiesOf(cls))
        .filter(([, property]) => property.description?.includes('Personal data: kept out of the read models and shown masked'))
        .map(([name]) => `${cls.name}.${name}`),
    );

    expect(marked.sort()).toEqual(PERSONAL_DATA_FIELDS);
  });

  it('gives the Chinese term in the descriptions', () => {
    expect(propertiesOf(PetitionerDto).name.description).toContain('信访人');
    expect(propertiesOf(CASE_ACTIONS.return.body).reason.description).toContain('退单');
  });

  it('lists enumeration values from the domain, as named schemas clients can reuse', () => {
    expect(propertiesOf(INTAKE_DTOS.petition).channel).toMatchObject({
      allOf: [{ $ref: '#/components/schemas/PetitionChannel' }],
    });
    expect(schemas.PetitionChannel.enum).toEqual(['visit', 'letter', 'phone', 'online', 'transferred']);
    expect(schemas.ResolveOutcome.enum).toEqual(['supported', 'partially-supported', 'explained', 'not-supported', 'mediated', 'failed']);
  });

  it('resolves nested bodies to their schemas', () => {
    expect(propertiesOf(INTAKE_DTOS.petition).petitioner).toMatchObject({
      allOf: [{ $ref: '#/components/schemas/PetitionerDto' }],
    });
    expect(propertiesOf(INTAKE_DTOS.hotline).caller).toMatchObject({ allOf: [{ $ref: '#/components/schemas/CallerDto' }] });
    expect(propertiesOf(INTAKE_DTOS.dispute).parties).toMatchObject({
      type: 'array',
      minItems: 1,
      items: { $ref: '#/components/schemas/DisputePartyDto' },
    });
  });

  it('documents formats and limits', () => {
    expect(propertiesOf(CASE_ACTIONS.sign.body).occurredAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(propertiesOf(CASE_ACTIONS.link.body).targetId).toMatchObject({ type: 'string', format: 'uuid' });
    expect(propertiesOf(CASE_ACTIONS['request-extension'].body).days).toMatchObject({ type: 'integer', minimum: 1, maximum: 365 });
    expect(propertiesOf(INTAKE_DTOS.petition).title).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    expect(propertiesOf(PetitionerDto).idNumber).toMatchObject({ type: 'string', pattern: '^\\d{17}[\\dX]$' });
  });
});
