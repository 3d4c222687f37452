import type { OpenedPersonal } from '@cases/personal-data';
import { audienceOf, DESTROYED_PLACEHOLDER, presentPersonal, revealedFields, WITHHELD_PLACEHOLDER } from './personal-data.presenter';

const DESTROYED_AT = new Date('2026-03-05T02:00:00Z');

const PETITION: OpenedPersonal = {
  petitioner: { state: 'readable', personId: 'p-1', fields: { name: '张三', phone: '13812341234', idNumber: '610113199001011234' } },
};
const DISPUTE: OpenedPersonal = {
  parties: [
    { state: 'destroyed', personId: 'p-2', destroyedAt: DESTROYED_AT },
    { state: 'readable', personId: 'p-3', fields: { name: '赵六', role: '被申请人' } },
    { state: 'unsealed', personId: null, fields: { name: '钱七' } },
  ],
};

describe('presenting personal data', () => {
  it('masks by default, with person ids', () => {
    expect(presentPersonal(PETITION, 'masked')).toEqual({
      petitioner: { personId: 'p-1', name: '张*', phone: '138****1234', idNumber: '**************1234' },
    });
  });

  it('shows full values on a reveal, and the placeholder for a destroyed person whoever asks', () => {
    expect(presentPersonal(DISPUTE, 'revealed')).toEqual({
      parties: [
        { personId: 'p-2', destroyed: true, name: DESTROYED_PLACEHOLDER },
        { personId: 'p-3', name: '赵六', role: '被申请人' },
        { name: '钱七' },
      ],
    });
  });

  it('withholds the petitioner from a unit and gives it no person ids', () => {
    expect(presentPersonal(PETITION, 'unit')).toEqual({ petitioner: { withheld: true, name: WITHHELD_PLACEHOLDER } });
    expect(presentPersonal(DISPUTE, 'unit')).toEqual({
      parties: [{ destroyed: true, name: DESTROYED_PLACEHOLDER }, { name: '赵*', role: '被申请人' }, { name: '钱*' }],
    });
  });

  it('names the fields a reveal shows, leaving out destroyed people and the unmasked party role', () => {
    expect(revealedFields(PETITION)).toEqual(['petitioner.name', 'petitioner.phone', 'petitioner.idNumber']);
    expect(revealedFields(DISPUTE)).toEqual(['parties[1].name', 'parties[2].name']);
  });

  it('never reveals to a unit, whatever it asks', () => {
    expect(audienceOf({ id: 'u', role: 'unit', unit: '小寨社区' }, true)).toBe('unit');
    expect(audienceOf({ id: 's', role: 'supervisor' }, true)).toBe('revealed');
    expect(audienceOf({ id: 'd', role: 'desk' }, false)).toBe('masked');
  });
});
